#!/usr/bin/env bash
# Delta broadcast with the gap bound (the portal's default, --broadcast-max-gap 0.001): top-k p = 0.01 deltas whose
# sparsity is raised tenfold until the model the fogs hold is within 0.1 % of the global one. Dense FedAvg of all layers
# (every value changes every round), where a fixed 1 % let the held model drift and the run diverge, and the head-only
# SBC run where a fixed 1 % was already exact.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-site-shift
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 4 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2 --partition iid
    --broadcast topk --broadcast-sparsity 0.01 --broadcast-max-gap 0.001)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run --rounds 10 --name iid-dense-e1-r10-lr0.001-downtopk0.01-gap0.001 --codec dense --trainable all --dense-max-elements 0 --lr 0.001
run --rounds 20 --codec sbc --sparsity 0.001 --trainable head --dense-max-elements 1024 --lr 0.01
