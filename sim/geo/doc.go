// Package geo provides the geography and travel model of patrolsim: the city
// as a set of atoms (reporting areas) grouped into districts, posts, and the
// travel time between two points for a given speed.
//
// All coordinates inside the simulation are planar metres. A city read from
// GeoJSON (lon/lat, WGS 84) is projected once, with a spherical transverse
// Mercator projection centred on the city (Snyder, "Map Projections: A Working
// Manual", USGS PP 1395, 1987, §8): within 50 km of the centre its scale error
// is below 0.004%, far below the error of any travel-time model. A generated
// grid is already planar.
//
// Each point of the plane belongs to at most one atom: Locate tests atoms in
// index order and returns the first whose closed polygon holds the point, so
// a point on a border shared by two atoms goes to the one listed first.
package geo
