#!/usr/bin/env bash
# The runs behind docs/federated-results-uniform.md. Each run checkpoints every round and resumes when started
# again, so this script can be stopped and rerun. Then:
# ./foglens experiment report --runs experiments/runs --out docs/federated-results-uniform.md
#
# All twelve ran once before BatchNorm variances were updated in log space (experiments/runs-additive,
# docs/federated-results-additive-variance.md). After that fix, experiments/runs holds the reruns of iid dense,
# SBC p=0.01, SBC p=0.001 and signSGD (the first session ran out of time for the rest).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Since issue 17 the experiment defaults to the site-shift scenario and its fine-tuning defaults; these runs
# predate it: the uniform scenario, every layer trained, lr 1e-4, residuals on BatchNorm statistics.
OLD=(--runs experiments/runs --scenario uniform --trainable all --dense-max-elements 0 --lr 0.0001 --statistics-error-feedback)
FL=(./foglens experiment fl --fogs 4 --rounds 10 --seed 1 "${OLD[@]}")
[[ -n "${FOGLENS_CLI:-}" ]] && FL=(dotnet "$FOGLENS_CLI" experiment fl --fogs 4 --rounds 10 --seed 1 "${OLD[@]}")
run() { echo "=== $*"; "${FL[@]}" "$@"; }
run --partition iid --codec dense
run --partition iid --codec sbc --sparsity 0.01
run --partition iid --codec sbc --sparsity 0.001
run --partition iid --codec topk --sparsity 0.01
run --partition iid --codec signsgd
run --partition iid --codec q8
run --partition iid --codec sbc --sparsity 0.01 --mode async --straggler-rate 0.5
run --partition iid --codec sbc --sparsity 0.01 --straggler-rate 0.5
run --partition dirichlet --codec dense
run --partition dirichlet --codec sbc --sparsity 0.001
run --partition iid --codec dense --local-epochs 2
run --partition iid --codec sbc --sparsity 0.001 --local-epochs 2
