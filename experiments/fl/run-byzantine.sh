#!/usr/bin/env bash
# Byzantine fogs (issue 19 item 1): 9 honest fogs + 1 attacker, 10 rounds, the deployed settings (SBC p = 0.01,
# the head, local lr 0.01, small tensors dense), site-shift scenario, seed 1. Each attack without the defence
# (FedAvg, sample counts uncapped) and with it (coordinate-wise trimmed mean, β = 0.2), beside the honest runs.
# Runs checkpoint every round and resume; the first run trains the base model (cached in the runs folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
FL=("${cli[@]}" experiment run --runs experiments/runs-byzantine --fogs 10 --rounds 10 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2
    --partition iid --codec sbc --sparsity 0.01 --trainable head --dense-max-elements 1024 --lr 0.01)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
uncapped=(--max-samples 2147483647 --relative-cap 0)
run "${uncapped[@]}"
run --aggregator trimmed-mean --trim 0.2
for attack in scale signflip noise claim-samples; do
  run --byzantine 1 --attack "$attack" "${uncapped[@]}"
  run --byzantine 1 --attack "$attack" --aggregator trimmed-mean --trim 0.2
done
# The FedAvg defence against inflated claims: weights capped at 3 × the round's median claim (the portal default).
run --byzantine 1 --attack claim-samples --relative-cap 3
