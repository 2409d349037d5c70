#!/usr/bin/env bash
# Downstream compression and the Dirichlet partition (issue 17 items 3 and goals): the site-shift series' settings
# (4 fogs, seed 1, 1,400 site faces, 300 validation faces), each best upload configuration with new global models
# sent as compressed deltas against the model the fogs hold (--broadcast topk|stc) instead of the full model every
# round, and the reference runs on a Dirichlet (α = 0.5 over age groups) partition. Runs resume; the base model is
# the one the site-shift series trained (copied from the byzantine series when absent).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
runs=experiments/runs-site-shift
[[ -d $runs/base-site-shift-e8 || ! -d experiments/runs-byzantine/base-site-shift-e8 ]] || cp -r experiments/runs-byzantine/base-site-shift-e8 "$runs/"
FL=("${cli[@]}" experiment run --runs "$runs" --fogs 4 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
all=(--trainable all --dense-max-elements 0)
head=(--trainable head --dense-max-elements 1024)

# Delta broadcast on the best SBC upload configuration (p = 0.001, head, lr 1e-2): top-k and ternary deltas
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --broadcast topk --broadcast-sparsity 0.01
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --broadcast stc --broadcast-sparsity 0.01
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --broadcast topk --broadcast-sparsity 0.001
# Dirichlet partition: SBC references with and without delta broadcast, then dense FedAvg (all layers)
run --rounds 20 --partition dirichlet --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01
run --rounds 20 --partition dirichlet --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --broadcast topk --broadcast-sparsity 0.01
run --rounds 20 --partition dirichlet --codec sbc --sparsity 0.01 "${head[@]}" --lr 0.003
run --rounds 20 --partition dirichlet --codec dense "${all[@]}" --lr 0.001
# Delta broadcast where every parameter changes every round: dense FedAvg of all layers
run --rounds 10 --name iid-dense-e1-r10-lr0.001-downtopk0.01 --partition iid --codec dense "${all[@]}" --lr 0.001 --broadcast topk --broadcast-sparsity 0.01

"${cli[@]}" experiment report --runs "$runs" --out docs/federated-results.md
