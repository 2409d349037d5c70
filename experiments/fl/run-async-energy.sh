#!/usr/bin/env bash
# Energy-bounded asynchronous mode (issue 19 item 3): 10 fogs, 3 stragglers (each misses a deadline with
# probability 0.5), local learning rate LR (default 0.1, ten times the deployed one, so staleness matters), head,
# SBC p = 0.01, site-shift, seed 1: sync (late updates dropped), async with staleness weighting, async energy-bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
lr=${LR:-0.1}
runs=experiments/runs-async
mkdir -p "$runs"
[[ -d $runs/base-site-shift-e8 || ! -d experiments/runs-byzantine/base-site-shift-e8 ]] || cp -r experiments/runs-byzantine/base-site-shift-e8 "$runs/"
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 10 --rounds 10 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2
    --partition iid --codec sbc --sparsity 0.01 --trainable head --dense-max-elements 1024 --lr "$lr" --stragglers 3 --straggler-rate 0.5)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run --mode sync
run --mode async
run --mode async --energy-bound
