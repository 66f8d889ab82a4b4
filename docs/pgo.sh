#!/bin/sh
# Regenerates cmd/patrolsim/default.pgo, the CPU profile the Go toolchain
# uses to optimise the patrolsim command (profile-guided optimisation: `go
# build`, `go install` and `go run` of ./cmd/patrolsim read it on their
# own; see docs/performance.md#profile-guided-optimisation).
# Usage (from anywhere in the checkout; a few minutes; needs ../shared/data
# for the road runs):
#   sh docs/pgo.sh
# The profile merges the workloads a user runs: the built-in city (every
# variant), the grid city at force ×1, ×4 and ×16, two OpenStreetMap road
# cities and a sweep. Each benchmark is built with the current profile, as
# the command is. A stale profile is still safe to use (the compiler
# matches functions by name and line offset and ignores what it cannot
# place): regenerate it after large changes to the hot paths.
set -eu
cd "$(dirname "$0")/.."
pgo=$PWD/cmd/patrolsim/default.pgo
flag=off
[ -f "$pgo" ] && flag=$pgo
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -pgo="$flag" ./scenarios/run -run XXX -bench 'DefaultScenario$' -benchtime 3x -cpu 1 -cpuprofile "$dir/default.prof" -o "$dir/run.test" >/dev/null
go test -pgo="$flag" ./sim -run XXX -bench 'Scale$' -benchtime 1x -cpu 1 -cpuprofile "$dir/scale.prof" -o "$dir/sim.test" >/dev/null
go test -pgo="$flag" ./cmd/patrolsim -run XXX -bench 'BaltimoreRun|MonacoRun' -benchtime 1x -cpu 1 -cpuprofile "$dir/roads.prof" -o "$dir/cmd.test" >/dev/null
go test -pgo="$flag" ./scenarios/sweep -run XXX -bench 'Sweep$' -benchtime 1x -cpuprofile "$dir/sweep.prof" -o "$dir/sweep.test" >/dev/null
go tool pprof -proto "$dir/default.prof" "$dir/scale.prof" "$dir/roads.prof" "$dir/sweep.prof" >"$dir/merged.pgo"
mv "$dir/merged.pgo" "$pgo"
echo "wrote $pgo ($(wc -c <"$pgo") bytes)"
