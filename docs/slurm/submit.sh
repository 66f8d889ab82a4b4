#!/bin/bash
# Submits a patrolsim sweep as a Slurm job array of N slices and a merge job
# that runs when every slice has succeeded. Prints the merge job's id.
#   submit.sh SWEEP.yaml OUT N
# Environment: PATROLSIM (the binary, default: patrolsim on PATH), SBATCH_ARGS
# (extra sbatch options, e.g. --partition=…).
set -euo pipefail
sweep=$1 out=$2 n=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
# The jobs run in this folder (paths stay relative to it); their logs go to
# OUT. Not --chdir=OUT: merge replaces OUT as a whole (docs/guarantees.md),
# which it refuses to do to its own current folder.
array=$(sbatch --parsable ${SBATCH_ARGS:-} --output="$out/slurm-%A_%a.out" --export=ALL \
  --array=0-$((n - 1)) "$here/sweep.sbatch" "$sweep" "$out" "$n")
array=${array%%;*}
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --output="$out/slurm-%j.out" --export=ALL \
  --dependency=afterok:"$array" "$here/merge.sbatch" "$sweep" "$out")
echo "${merge%%;*}"
