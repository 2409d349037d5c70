#!/usr/bin/env bash
# The site-shift series behind docs/federated-results.md (issue 17). The first run trains the base
# model (8 epochs on the cloud population; cached in experiments/runs-site-shift/base-site-shift-e8/, not
# committed). Every run: 4 fogs, seed 1, batch 64, 1,400 site faces (about 350 per fog, a fifth of each kept
# as the site's local test set), 300 validation faces, 2 torch threads. Each run names its fine-tuning settings
# explicitly (the CLI's defaults changed after this series). Runs checkpoint every round and resume, so this
# script can be stopped and rerun. Three runs were stopped early on purpose (--rounds 3 or 4 below) and the
# lever screens ran 10 rounds, to fit the series into the session's time on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(./foglens)
[[ -n "${FOGLENS_CLI:-}" ]] && cli=(dotnet "$FOGLENS_CLI")
FL=("${cli[@]}" experiment run --runs experiments/runs-site-shift --fogs 4 --seed 1 --train-limit 1400 --val-limit 300 --base-epochs 8 --threads 2)
run() { echo "=== $*"; "${FL[@]}" "$@"; }
all=(--trainable all --dense-max-elements 0)
head=(--trainable head --dense-max-elements 1024)

# Dense FedAvg references (all layers; head only)
run --rounds 20 --partition iid --codec dense "${all[@]}" --lr 0.001
run --rounds 10 --name iid-dense-e1-lr0.001-head-r10 --partition iid --codec dense "${head[@]}" --lr 0.001
run --rounds 10 --name iid-dense-e1-lr0.01-head-r10 --partition iid --codec dense "${head[@]}" --lr 0.01
# SBC on all layers: residuals on BN statistics (before), without (after), small tensors dense
run --rounds 20 --partition iid --codec sbc --sparsity 0.01 "${all[@]}" --lr 0.001 --statistics-error-feedback
run --rounds 4 --name iid-sbc-p0.01-e1-r20-lr0.001 --partition iid --codec sbc --sparsity 0.01 "${all[@]}" --lr 0.001
run --rounds 10 --name iid-sbc-p0.001-e1-lr0.001-r10 --partition iid --codec sbc --sparsity 0.001 "${all[@]}" --lr 0.001
run --rounds 3 --name iid-sbc-p0.001-e1-r20-lr0.001-d1024 --partition iid --codec sbc --sparsity 0.001 --trainable all --dense-max-elements 1024 --lr 0.001
# The head, SBC p = 0.001: local lr, server momentum
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.001
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.001 --server-momentum 0.9
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --server-momentum 0.9
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --server-momentum 0.5
# The head, SBC p = 0.01: local lr, DGC local clipping; the last conv block with frozen statistics
run --rounds 20 --partition iid --codec sbc --sparsity 0.01 "${head[@]}" --lr 0.003
run --rounds 20 --partition iid --codec sbc --sparsity 0.01 "${head[@]}" --lr 0.01
run --rounds 20 --partition iid --codec sbc --sparsity 0.01 "${head[@]}" --lr 0.01 --client-clip 2
run --rounds 20 --partition iid --codec sbc --sparsity 0.01 --trainable last-blocks --trainable-blocks 1 --freeze-statistics --dense-max-elements 1024 --lr 0.003
# 10-round screens on the head at p = 0.001, lr 1e-2: no dense small tensors, warm-up, STC, DGC momentum, local epochs
run --rounds 10 --name iid-sbc-p0.001-e1-lr0.01-head-r10 --partition iid --codec sbc --sparsity 0.001 --trainable head --dense-max-elements 0 --lr 0.01
run --rounds 10 --name iid-sbc-p0.001-e1-lr0.01-head-d1024-w5-r10 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --warmup-rounds 5
run --rounds 10 --name iid-stc-p0.001-e1-lr0.01-head-d1024-r10 --partition iid --codec stc --sparsity 0.001 "${head[@]}" --lr 0.01
run --rounds 20 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --client-momentum 0.9   # ran as a 10-round screen, then extended
run --rounds 10 --name iid-sbc-p0.001-e3-lr0.01-head-d1024-r10 --partition iid --codec sbc --sparsity 0.001 "${head[@]}" --lr 0.01 --local-epochs 3

"${cli[@]}" experiment report --runs experiments/runs-site-shift --out docs/federated-results.md
