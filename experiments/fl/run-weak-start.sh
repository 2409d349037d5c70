#!/usr/bin/env bash
# Federated training from a weak start, so that the codecs are compared on a model that still has room to
# improve: the cloud pretrains on 1,000 faces for 6 epochs, then 4 fogs train federatedly on the whole
# training split. Results: docs/federated-results-weak-start.md. Resumable like run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
base=${WEAK_BASE:-experiments/weak-start-base}
if [[ ! -f $base/age-net.weights ]]; then
  "${cli[@]}" age train --out "$base" --limit 1000 --epochs 6 --expectation-weight 0.05 --seed 7
fi
# Predates issue 17: uniform scenario, every layer trained, residuals on BatchNorm statistics.
FL=("${cli[@]}" experiment fl --base "$base" --runs experiments/runs-weak-start --fogs 4 --seed 1 --lr 0.001 --scenario uniform --trainable all --dense-max-elements 0 --statistics-error-feedback)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run10() { run --rounds 10 "$@"; }
run10 --partition iid --codec dense
run10 --partition iid --codec sbc --sparsity 0.01
run10 --partition iid --codec sbc --sparsity 0.001
run10 --partition iid --codec topk --sparsity 0.01
run10 --partition dirichlet --codec dense
run10 --partition dirichlet --codec sbc --sparsity 0.001
run --rounds 30 --partition iid --codec sbc --sparsity 0.01   # does SBC catch up with more rounds?
"${cli[@]}" experiment report --runs experiments/runs-weak-start --out docs/federated-results-weak-start.md
