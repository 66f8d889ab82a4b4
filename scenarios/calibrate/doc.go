// Package calibrate turns incident records (a CSV of dated, geolocated
// incidents) and area polygons (GeoJSON) into a ready-to-run scenario: per
// area weights, hour-of-day and day-of-week profiles, the daily volume and
// the type mix, with a short goodness-of-fit report. A type mapping
// (LoadTypes: a YAML file or a built-in one) gives the types their
// priority, on-scene time, officers, deterrability and crime; a log's
// priority and on-scene columns refine them. The self-exciting (Hawkes)
// near-repeat model is fitted by maximum likelihood (hawkes.go). The
// placeholder force's utilisation is computed and measured by a short run
// of the written scenario. See docs/calibrate.md.
package calibrate
