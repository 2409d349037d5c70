#!/usr/bin/env python3
"""Summarise contribution credit of the runs in experiments/runs-ledger (see run-ledger.sh) as a Markdown table."""
import json, pathlib, statistics, sys

runs = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "experiments/runs-ledger")
print("| run | honest credit per sample: mean, CV | max/min honest credit ÷ max/min samples | attacker credit ÷ median honest | attacker agreement (mean) | attacker norm factor (mean) |")
print("|---|---|---|---|---|---|")
for folder in sorted(p for p in runs.iterdir() if (p / "rounds.jsonl").exists()):
    run = json.loads((folder / "run.json").read_text())
    options = run.get("options", run)
    attack = options.get("attack", "none")
    byzantine = options.get("byzantine", 0)
    fogs = options.get("fogs", 10)
    attacker = {f"fog{fogs - k}" for k in range(byzantine)}
    credit, weight, agreement, norm = {}, {}, {}, {}
    for line in (folder / "rounds.jsonl").read_text().splitlines():
        r = json.loads(line)
        for c in r.get("contributions") or []:
            f = c["contributor"]
            credit[f] = credit.get(f, 0) + c["credit"]
            weight.setdefault(f, []).append(c["weight"])
            agreement.setdefault(f, []).append(c["agreement"])
            norm.setdefault(f, []).append(c["normFactor"])
    if not credit:
        continue
    honest = [f for f in credit if f not in attacker]
    samples = {f: statistics.mean(weight[f]) for f in credit}
    per_sample = [credit[f] / (samples[f] * len(weight[f])) for f in honest]
    spread = (max(credit[f] for f in honest) / min(credit[f] for f in honest)) / (max(samples[f] for f in honest) / min(samples[f] for f in honest))
    median_honest = statistics.median(credit[f] for f in honest)
    if attacker:
        a = sorted(attacker)[0]
        att = f"{credit.get(a, 0) / median_honest:.3f}", f"{statistics.mean(agreement.get(a, [0])):.3f}", f"{statistics.mean(norm.get(a, [0])):.4f}"
    else:
        att = ("–", "–", "–")
    cv = statistics.pstdev(per_sample) / statistics.mean(per_sample)
    print(f"| {folder.name} | {statistics.mean(per_sample):.3f}, {cv:.1%} | {spread:.2f} | {att[0]} | {att[1]} | {att[2]} |")
