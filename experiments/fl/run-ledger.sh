#!/usr/bin/env bash
# Contribution ledger on real training (issue 19 item 2): the byzantine series' settings (9 honest fogs + 1
# attacker, SBC p = 0.01, head, site-shift, seed 1, FedAvg with sample counts uncapped so the attack bites), plus an
# honest run on a Dirichlet partition (unequal data per fog). Each round's rounds.jsonl line carries "credit" per fog;
# experiments/fl/ledger-report.py summarises them. The base model is the byzantine series' (copied when present).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-ledger
mkdir -p "$runs"
[[ -d $runs/base-site-shift-e8 || ! -d experiments/runs-byzantine/base-site-shift-e8 ]] || cp -r experiments/runs-byzantine/base-site-shift-e8 "$runs/"
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 10 --rounds 10 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2
    --codec sbc --sparsity 0.01 --trainable head --dense-max-elements 1024 --lr 0.01 --max-samples 2147483647 --relative-cap 0)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run --partition iid
for attack in scale signflip noise claim-samples; do
  run --partition iid --byzantine 1 --attack "$attack"
done
run --partition dirichlet
