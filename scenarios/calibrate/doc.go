// Package calibrate turns incident records (a CSV of dated, geolocated
// incidents) and area polygons (GeoJSON) into a ready-to-run scenario: per
// area weights, hour-of-day and day-of-week profiles, the daily volume and
// the type mix, with a short goodness-of-fit report. See docs/calibrate.md.
//
// Not done here (issue 8): the self-exciting (Hawkes) maximum-likelihood
// fit and road networks.
package calibrate
