#!/usr/bin/env bash
# Client-level differential privacy (issue 19 item 4): DP-FedAvg at ε ≈ 1, 4, 8 after 10 rounds (δ = 1e-5), beside
# the same run without noise. Settings of the byzantine series (10 honest fogs, SBC p = 0.01, the head, local lr 0.01,
# site-shift, seed 1); the clip norm 0.5 is about the SBC updates' norm in that series (‖Δ‖ ≈ 0.49), so clipping
# itself changes little and the runs differ by the noise. The base model is the byzantine series' (copied when present).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-dp
mkdir -p "$runs"
[[ -d $runs/base-site-shift-e8 || ! -d experiments/runs-byzantine/base-site-shift-e8 ]] || cp -r experiments/runs-byzantine/base-site-shift-e8 "$runs/"
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 10 --rounds 10 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2
    --partition iid --codec sbc --sparsity 0.01 --trainable head --dense-max-elements 1024 --lr 0.01 --clip 0.5)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run
for epsilon in 8 4 1; do
  run --dp-epsilon "$epsilon"
done
