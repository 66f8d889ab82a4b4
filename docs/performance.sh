#!/bin/sh
# Regenerates the measured part of docs/performance.md: runs the benchmarks
# and rewrites the block between the "perf:begin" and "perf:end" markers.
# Usage (from anywhere in the checkout):
#   sh docs/performance.sh               # the quick benchmarks (a few minutes)
#   METROPOLIS=1 sh docs/performance.sh  # also a year of builtin:metropolis (the CLI under
#                                        # /usr/bin/time -v, and BenchmarkMetropolisYear)
#   ROADS=1 sh docs/performance.sh       # also BenchmarkRoadSlowdown (road runs against
#                                        # straight lines; needs ../shared/data; minutes)
#   MEMORY=1 sh docs/performance.sh      # also the default run for 30 and 300 days (the CLI
#                                        # under /usr/bin/time -v: peak RSS; about 2 minutes)
#   PGO=off sh docs/performance.sh       # benchmarks built without the command's profile
# Figures are medians of COUNT runs (default 3); the machine's load is
# recorded beside them, for it moves every wall-clock figure. Every
# benchmark is built with cmd/patrolsim/default.pgo, the profile `go build
# ./cmd/patrolsim` uses (profile-guided optimisation, docs/pgo.sh): the
# figures are those of the command a user runs.
set -eu
cd "$(dirname "$0")/.."
count=${COUNT:-3}
pgo=${PGO:-$PWD/cmd/patrolsim/default.pgo}
[ "$pgo" = off ] || [ -f "$pgo" ] || pgo=off
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-pgo=$pgo"
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.md" "$raw.time"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)

# The engine's benchmark reports wall time only: its processor time is
# read around the test binary (10,000,000 timed events plus 100,000 of
# warm-up and 10,000 scheduled first; the binary's start is noise).
tb=$(mktemp -d)
go test -c -o "$tb/des.test" ./sim/des
i=0
while [ "$i" -lt "$count" ]; do
	/usr/bin/time -f "ENGINECPU %U %S" "$tb/des.test" -test.run XXX -test.bench 'Engine$' -test.benchtime 10000000x -test.cpu 1 >>"$raw" 2>>"$raw"
	i=$((i + 1))
done
rm -rf "$tb"
go test ./sim -run XXX -bench 'Scale' -benchtime 2x -count "$count" -cpu 1 >>"$raw"
go test ./scenarios/run -run XXX -bench 'DefaultScenario$' -benchtime 1x -count "$count" -cpu 1 >>"$raw"
go test ./scenarios/run -run XXX -bench 'MemoryDays' -benchtime 1x -count "$count" -cpu 1 >>"$raw"
# Under the collector setting the sweep command sets (GOGC=400,
# cmd/patrolsim/sweep_gc.go): the figures are the command's.
GOGC=400 go test ./scenarios/sweep -run XXX -bench 'Sweep' -benchtime 2x -count "$count" >>"$raw"
if [ -n "${ROADS:-}" ]; then
	go test ./cmd/patrolsim -run XXX -bench 'RoadSlowdown' -benchtime 1x -count "$count" -timeout 1h >>"$raw"
fi
if [ -n "${METROPOLIS:-}" ]; then
	go test ./scenarios/run -run XXX -bench 'MetropolisYear' -benchtime 1x -count 1 -cpu 2 -timeout 2h >>"$raw"
	bin=$(mktemp -d)
	go build -o "$bin/patrolsim" ./cmd/patrolsim
	/usr/bin/time -v "$bin/patrolsim" run builtin:metropolis --duration 365d --workers 2 -q -o "$bin/out" 2>"$raw.time"
	awk -F': ' '/Elapsed \(wall clock\)/ {print "CLI wall " $2} /User time/ {u=$2} /System time/ {s=$2}
		/Maximum resident set size/ {print "CLI rss_kb " $2} END {print "CLI cpu_s " u+s}' "$raw.time" >>"$raw"
	rm -rf "$bin"
fi
if [ -n "${MEMORY:-}" ]; then
	bin=$(mktemp -d)
	go build -o "$bin/patrolsim" ./cmd/patrolsim
	for d in 30 300; do
		/usr/bin/time -v "$bin/patrolsim" run builtin:jinzhou --duration "${d}d" -q -o "$bin/out$d" 2>"$raw.time"
		awk -F': ' -v d="$d" '/Elapsed \(wall clock\)/ {print "MEM " d " wall " $2} /User time/ {u=$2} /System time/ {s=$2}
			/Maximum resident set size/ {print "MEM " d " rss_kb " $2} END {print "MEM " d " cpu_s " u+s}' "$raw.time" >>"$raw"
	done
	rm -rf "$bin"
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)

awk -v pgo="$([ "$pgo" = off ] && echo 'without profile-guided optimisation' || echo 'built with the command'"'"'s profile, cmd/patrolsim/default.pgo')" -v count="$count" -v load0="$load0" -v load1="$load1" -v date="$(date -u +%Y-%m-%d)" -v cpus="$(nproc)" '
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	vals[name SUBSEP "ns/op"] = vals[name SUBSEP "ns/op"] " " $3
	for (i = 5; i < NF; i += 2) vals[name SUBSEP $(i+1)] = vals[name SUBSEP $(i+1)] " " $i
}
/^CLI / { cli[$2] = $3 }
/^MEM / { mem[$2 SUBSEP $3] = $4 }
/^ENGINECPU / { vals["engine" SUBSEP "cpu-ns"] = vals["engine" SUBSEP "cpu-ns"] " " ($2 + $3) * 1e9 / 10110000 }
END {
	eng = median("engine" SUBSEP "cpu-ns")
	engWall = median("BenchmarkEngine" SUBSEP "ns/op")
	printf "Measured %s on %d cores shared with other work (load average %s before, %s after; medians of %d runs; %s).\n\n", date, cpus, load0, load1, count, pgo
	print "| benchmark | what | figure | per event | × engine hold |"
	print "|---|---|---|---|---|"
	printf "| `BenchmarkEngine` (sim/des) | hold model, 10,000 pending events | %.1f M events/cpu-s (%.1f M/s wall) | %.0f cpu-ns | 1 |\n", 1000 / eng, 1000 / engWall, eng
	for (k = 1; k <= 16; k *= 4) {
		key = "BenchmarkScale/x" k
		c = median(key SUBSEP "cpu-ns/event")
		printf "| `BenchmarkScale/x%d` (sim) | the built-in city tiled %d×, 10 days, 2 variants | %.2f M events/cpu-s | %.0f cpu-ns | %.1f |\n", k, k, 1000 / c, c, c / eng
	}
	c = median("BenchmarkDefaultScenario" SUBSEP "events/cpu-s")
	w = median("BenchmarkDefaultScenario" SUBSEP "events/s")
	printf "| `BenchmarkDefaultScenario` (scenarios/run) | builtin:jinzhou, 13 variants × 2 replications, 1 worker | %.2f M events/cpu-s (%.2f M/s wall) | %.0f cpu-ns | %.1f |\n", c / 1e6, w / 1e6, 1e9 / c, 1e9 / c / eng
	if (("BenchmarkMetropolisYear" SUBSEP "events/cpu-s") in vals) {
		c = median("BenchmarkMetropolisYear" SUBSEP "events/cpu-s")
		printf "| `BenchmarkMetropolisYear` (scenarios/run) | builtin:metropolis, 365 days, 2 variants × 2 replications, 2 workers | %.1f s wall for all 4 runs of the year, %.2f M events/cpu-s, peak heap in use %.0f MiB | %.0f cpu-ns | %.1f |\n", median("BenchmarkMetropolisYear" SUBSEP "ns/op") / 1e9, c / 1e6, median("BenchmarkMetropolisYear" SUBSEP "peak-heap-MiB"), 1e9 / c, 1e9 / c / eng
	}
	print ""
	print "**Force** (BenchmarkScale, cost per event as city, force and volume grow together):"
	print ""
	print "| scale | cpu-ns/event | × scale 1 |"
	print "|---|---|---|"
	b1 = median("BenchmarkScale/x1" SUBSEP "cpu-ns/event")
	for (k = 1; k <= 16; k *= 4) {
		c = median("BenchmarkScale/x" k SUBSEP "cpu-ns/event")
		printf "| ×%d | %.0f | %.2f |\n", k, c, c / b1
	}
	print ""
	n = split(vals["BenchmarkScaleRatio" SUBSEP "x16/x1"], rs, " ")
	all = ""
	for (i = 1; i <= n; i++) all = all (i > 1 ? ", " : "") sprintf("%.2f", rs[i])
	printf "In pairs (BenchmarkScaleRatio: ×1 sixteen times and ×16 once, in turn, in every iteration, so that both meet the machine in the same state): ×16 / ×1 = **%.2f** (median; the %d runs: %s), ×1 %.0f and ×16 %.0f cpu-ns/event.\n", median("BenchmarkScaleRatio" SUBSEP "x16/x1"), n, all, median("BenchmarkScaleRatio" SUBSEP "x1-cpu-ns/event"), median("BenchmarkScaleRatio" SUBSEP "x16-cpu-ns/event")
	print ""
	print "**Duration** (BenchmarkMemoryDays: builtin:grid, one replication; peak heap in use):"
	print ""
	print "| simulated days | time a run | peak heap in use | bytes per simulated day | heap × 30 days |"
	print "|---|---|---|---|---|"
	h30 = median("BenchmarkMemoryDays/30d" SUBSEP "peak-heap-MiB")
	for (d = 30; d <= 300; d *= 10) {
		key = "BenchmarkMemoryDays/" d "d"
		h = median(key SUBSEP "peak-heap-MiB")
		printf "| %d | %.2f s | %.2f MiB | %.0f | %.2f |\n", d, median(key SUBSEP "ns/op") / 1e9, h, median(key SUBSEP "bytes/day"), h / h30
	}
	if (("30" SUBSEP "rss_kb") in mem) {
		print ""
		print "**Duration through the command** (`patrolsim run builtin:jinzhou --duration D`: the default run, 13 variants × 8 replications on 2 workers, under `/usr/bin/time -v`):"
		print ""
		print "| simulated days | wall ([h:]m:ss) | processor time | peak RSS | RSS × 30 days |"
		print "|---|---|---|---|---|"
		for (d = 30; d <= 300; d *= 10)
			printf "| %d | %s | %.0f s | %.1f MiB | %.2f |\n", d, mem[d SUBSEP "wall"], mem[d SUBSEP "cpu_s"], mem[d SUBSEP "rss_kb"] / 1024, mem[d SUBSEP "rss_kb"] / mem[30 SUBSEP "rss_kb"]
	}
	if (("BenchmarkSweep/workers=1" SUBSEP "items/s") in vals) {
		s1 = median("BenchmarkSweep/workers=1" SUBSEP "items/s")
		s2 = median("BenchmarkSweep/workers=2" SUBSEP "items/s")
		print ""
		printf "**Sweeps** (BenchmarkSweep: a grid sweep, 10 replications a point, under the sweep command'"'"'s GOGC=400): %.1f items/s on 1 worker, %.1f on 2: speed-up %.2f× (wall clock: meaningful only on a quiet machine; see the load above).", s1, s2, s2 / s1
		if (("BenchmarkSweepSerial" SUBSEP "serial-%") in vals)
			printf " Its serial part (BenchmarkSweepSerial: what a run does after its last item, processor time): %.1f%% of the sweep on one worker, so at most %.2f× on 2 workers by Amdahl'"'"'s law, counting that part as wholly serial.", median("BenchmarkSweepSerial" SUBSEP "serial-%"), median("BenchmarkSweepSerial" SUBSEP "amdahl-2")
		print ""
	}
	if (("BenchmarkRoadSlowdown/baltimore" SUBSEP "warm/straight") in vals) {
		print ""
		print "**Roads** (BenchmarkRoadSlowdown: each example at 8 replications × 30 days, processor time, loading included; road: the road file read and the table built; warm: the table read from the disk cache):"
		print ""
		print "| example | straight cpu-ms | road cpu-ms | warm cpu-ms | road / straight | warm / straight |"
		print "|---|---|---|---|---|---|"
		split("baltimore monaco sanfrancisco", ex, " ")
		for (i = 1; i <= 3; i++) {
			key = "BenchmarkRoadSlowdown/" ex[i]
			if ((key SUBSEP "warm/straight") in vals)
				printf "| %s | %.0f | %.0f | %.0f | %.2f | %.2f |\n", ex[i], median(key SUBSEP "straight-cpu-ms"), median(key SUBSEP "road-cpu-ms"), median(key SUBSEP "warm-cpu-ms"), median(key SUBSEP "road/straight"), median(key SUBSEP "warm/straight")
		}
	}
	if ("wall" in cli) {
		print ""
		printf "**A year of builtin:metropolis through the command** (`patrolsim run builtin:metropolis --duration 365d --workers 2`, under `/usr/bin/time -v`): %s wall ([h:]m:ss, as /usr/bin/time prints it), %.0f s of processor time, peak RSS %.0f MiB.\n", cli["wall"], cli["cpu_s"], cli["rss_kb"] / 1024
	}
}' "$raw" >"$raw.md"

awk -v block="$raw.md" '
/<!-- perf:begin/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
/<!-- perf:end/ { skip = 0 }
!skip' docs/performance.md >"$raw.new"
mv "$raw.new" docs/performance.md
echo "docs/performance.md: figures regenerated"
