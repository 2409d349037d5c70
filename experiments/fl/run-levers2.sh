#!/usr/bin/env bash
# Server-side levers not measured in the first site-shift series (issue 17 item 2): FedAdam (Reddi et al. 2021) and a
# server learning rate above 1 and a decaying local learning rate on the best SBC configurations, with top-k delta
# broadcast (the portal's default).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-site-shift
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 4 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2
    --trainable head --dense-max-elements 1024 --rounds 20 --partition iid)
down=(--broadcast topk --broadcast-sparsity 0.01)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
# A local learning rate that decays over the rounds (against the late-round oscillation), dense FedAvg of the head
# over 20 rounds (how far fine-tuning only the head can go), FedAdam and a server learning rate above 1
run --codec sbc --sparsity 0.01 --lr 0.01 --lr-decay 0.9 "${down[@]}"
run --codec sbc --sparsity 0.001 --lr 0.03 --lr-decay 0.9 "${down[@]}"
run --codec dense --lr 0.01 --broadcast full
run --codec sbc --sparsity 0.001 --lr 0.01 --server-optimizer adam --server-lr 0.01 --server-momentum 0.9 "${down[@]}"
run --codec sbc --sparsity 0.001 --lr 0.01 --server-lr 2 "${down[@]}"
"${cli[@]}" experiment report --runs "$runs" --out docs/federated-results.md
