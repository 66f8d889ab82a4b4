package scenarios

// Template is a scenario file with every key, its default and a comment;
// `patrolsim template` prints it. It runs as it is. Its top-level values are
// those of Default; list items (incident types, units, variants) are
// examples, with each key's default in its comment (tests check both).
const Template = `# patrolsim scenario, version 1. Durations are written with their unit:
# 90s, 12m, 1.5h, 30d, 1w, or sums like 1h30m. Paths are relative to this file.
version: 1
name: scenario                 # a name for tables and files
description: ""                # free text
seed: 1                        # master random seed: same seed, same results
duration: 30d                  # incidents occur during [0, duration)
warmup: 2d                     # the first part of the run that does not count
replications: 10               # independent replications per variant

city:
  # Either a generated grid …
  grid: {rows: 10, cols: 10, cell_m: 500, districts: 2}
  # … or GeoJSON polygons in lon/lat (WGS 84), one feature per area:
  # areas: communities.geojson
  # fields: {name: name, district: district, population: population, weight: weight}
  #   population: residents (default: proportional to area);
  #   weight: relative incident volume (default: population)
  # posts: posts.geojson       # Point features with properties name and kind
  # routes: routes.geojson     # LineString features with properties name and kind (kind = a unit type)
  # post_points:               # or posts written here:
  #   - {name: p1, kind: platform, x_m: 1200, y_m: 800}     # grid city, metres
  #   - {name: p2, kind: platform, lon: 121.13, lat: 41.11} # GeoJSON city

travel:
  model: manhattan             # manhattan (right-angle streets), euclidean, or road:
  detour: 1                    # distance multiplier, 1 … 5 (not for road)
  turnout: 30s                 # dispatch → under way (units may override)
  # roads: roads.geojson       # model: road: GeoJSON line strings (TIGER/Line roads)
  # speeds: {S1200: 45}        # model: road: km/h by MTFCC road class
  # zone_m: 500                # model: road: zone side of the travel-time table

incidents:
  per_day: 100                 # mean incidents a day
  hour_of_day: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]  # 00:00 … 23:00, relative
  day_of_week: [1, 1, 1, 1, 1, 1, 1]   # Monday … Sunday, relative; day 0 of a run is a Monday
  # hour_of_week: [168 weights]  # instead of the two above: Monday 00:00 first
  report_delay: 0              # occurrence → call: a duration (fixed) or {dist, mean, sd}
  types:                       # shares sum to 1
    - name: urgent
      priority: 1              # 1 emergency, 2 urgent, 3 routine (default 2)
      share: 0.3
      on_scene: {dist: lognormal, mean: 40m, sd: 20m}   # fixed, exponential or lognormal (default exponential 30m)
      officers: 2              # officers needed on scene (default 1)
      deterrable: 0.8          # 0 … 1: how far presence can suppress it (default 0)
      crime: true              # a crime (case), counted by areas without crime; default false (another call)
      near_repeat: true        # brings near-repeat offspring (incidents.near_repeat); default true
    - {name: routine, priority: 3, share: 0.7, on_scene: {dist: exponential, mean: 30m}, officers: 1}
  near_repeat:                 # self-exciting incidents (a Hawkes process)
    offspring: 0               # expected offspring of each realised incident, < 1 (0: off)
    decay: 7d                  # mean delay of an offspring
    radius_m: 350              # offspring fall within this distance
  # Or replay a recorded log instead of drawing incidents (docs/scenario-format.md):
  # replay: incidents.csv
  # columns: {time: [Date, Time], time_layout: "%m/%d/%Y %H:%M", lon: lng, lat: lat, type: Category, id: IncidntNum}
  # start: 2013-12-01          # default: the day of the log's first incident
  # categories: {ASSAULT: urgent}   # the log's category → a type (a type's own name needs none)
  # default_type: routine      # every other category

units:
  - name: car
    count: 8                   # units of this type (default 1)
    squad: 2                   # officers per unit (default 2)
    speed_kmh: 30              # response speed (default 30)
    patrol_speed_kmh: 0        # patrol speed; 0 means speed_kmh
    # turnout: 30s             # default travel.turnout
    shift: {start: "00:00", hours: 24}   # daily duty; 24 hours means always on duty
    home: district             # district, community (one per area) or post
    # post_kind: platform      # with home: post, only posts of this kind
    # districts: [D1]          # with home: district, only these districts, in turn (default all)
    priorities: [1, 2, 3]      # priorities this type may take (default all)
    visibility: 1              # presence of one officer: 1 uniformed, 0 unmarked (default 1)

dispatch:
  mode: point-to-point         # default of the variants: point-to-point (GPS) or hierarchical
  delay: 60s                   # point-to-point: call received → ready for dispatch
  levels:                      # hierarchical: the command levels a call passes, in order
    - {name: city, delay: 45s}
    - {name: district, delay: 1m}
    - {name: station, delay: 1m30s}
  mutual_aid: true             # hierarchical: units may cross districts when none is free
  lost_calls: false            # true: a call that finds no free unit is lost, not queued

deterrence:                    # visible presence suppresses deterrable incidents (docs/model.md)
  enabled: true
  radius_m: 200                # units this close to a place are present there
  half_presence: 4             # presence at which suppression reaches 63% of its maximum
  residual_decay: 1h           # residual deterrence decays with this time constant
  dose_min: 2m                 # stops shorter than this leave no residual (Koper 1995)
  dose_full: 15m               # stops this long leave the full residual
  displaced_space: 0.15        # share of suppressed incidents moved to a neighbouring area
  displaced_time: 0.1          # share moved to a later time
  time_shift: {dist: exponential, mean: 6h}   # how much later
  visible_above: 1             # presence above which an area-hour counts as seeing police
  diffusion: 0                 # share of the neighbours' residual deterrence counted in an area (diffusion of benefits)

reporting:
  on_view_radius_m: 50         # a unit this close sees an incident happen (0: never)
  observers:                   # people who report what they see (a taxi alliance)
    per_km2: 0                 # out at any time, per km² (0: none)
    radius_m: 50               # how close one must be to see an incident
    delay: {dist: exponential, mean: 1m}   # occurrence → call when one saw it

targets: {p1: 5m, p2: 10m, p3: 30m}   # response-time targets by priority (0: none)

variants:                      # the arrangements to compare
  - name: random
    policy: random             # random, static-beats, posts, routes, hot-spots, follow-incidents, hotspot-oracle, cover
    params: {dwell: 15m}       # policy parameters (patrolsim policies lists them)
  - name: beats
    policy: static-beats
    # by_unit: {car: {policy: posts}}   # a policy of its own for a unit type
    # dispatch: hierarchical   # this variant's dispatch mode (default dispatch.mode)
    # units: {car: {count: 16, squad: 1, shift: {start: "18:00", hours: 12}}}   # this variant's force
    # benchmark: false         # true: shown, never ranked (default: true for hotspot-oracle)
    # deterrence: {enabled: false}         # keys of deterrence changed in this variant only
    # reporting: {observers: {per_km2: 0}} # keys of reporting changed in this variant only

ranking:
  # objective:                 # default: P1 p90 response (s) − 1000 × prevented per 1000 residents a month
  #   - {metric: response_p90_s_p1, weight: 1}
  #   - {metric: prevented_per_1000_month, weight: 1000}
  alpha: 0.05                  # 1 − joint confidence of the best set; level of the pairwise comparisons (Holm)

# check:                       # what patrolsim check compares, unless --config says (docs/ci.md)
#   level: 0.05
#   metrics: ["response_*", incidents_prevented]
#   tolerances: {"response_*": {rel: 0.05, abs: 5}}
`
