#!/usr/bin/env bash
# The demo's federated setting (issue 17, "the demo's rounds visibly lower the sites' MAE"): the shipped age model
# (models/age, trained on the whole training split) fine-tuned by 2 fogs that hold the site pool of the training
# split (mostly children and elderly, 1,200 faces each, as `./foglens demo` partitions them), measured on the site
# pool of the validation split (400 faces no fog and no base training saw): the portal's defaults (SBC p = 0.01, head,
# local lr 1e-2, small tensors dense, top-k deltas down), and dense FedAvg of the head as the reference.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-shipped
FL=("${cli[@]}" experiment run --runs "$runs" --scenario shipped --base models/age --fogs 2 --seed 1 --train-limit 2400 --val-limit 400 --threads 2
    --trainable head --dense-max-elements 1024 --rounds 10 --partition iid)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run --codec dense --broadcast full --lr 0.01
run --codec sbc --sparsity 0.01 --broadcast topk --broadcast-sparsity 0.01 --lr 0.01
# The shipped model has seen the sites' faces (they are from the training split): a lower local learning rate
run --codec sbc --sparsity 0.01 --broadcast topk --broadcast-sparsity 0.01 --lr 0.003
"${cli[@]}" experiment report --runs "$runs" --out docs/federated-results-shipped.md
