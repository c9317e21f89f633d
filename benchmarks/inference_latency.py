"""GRU/LSTM inference latency ratios per runtime: batch-1 full sequences and one streaming step.

H=128 (both cells), 64 input features, sequence lengths 25/100/400, eager PyTorch, TorchScript
and ONNX Runtime (add int8 forms with --runtimes), all measured in one run with the cells
interleaved in rounds. Prints p50s, the ratio of p50s with its bootstrap 95% CI over rounds,
and the ratio of p95s.

    .venv/bin/python benchmarks/inference_latency.py [--threads 2] [--repeats 100] [--json F]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gatebench.deploy.latency import LatencyPlan
from gatebench.deploy.sizes import latency_at_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--runtimes", default="eager,torchscript,onnx")
    parser.add_argument("--json", type=Path, help="also write the full results here")
    args = parser.parse_args()
    plan = LatencyPlan(seq_lens=(25, 100, 400), batch_sizes=(1,),
                       runtimes=tuple(args.runtimes.split(",")), repeats=args.repeats,
                       rounds=10, threads=args.threads)
    result = latency_at_size(("gru", "lstm"), args.hidden, 64, plan, match="hidden")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    p50 = {(r["cell"], r["runtime"], r["mode"], r["seq_len"]): r["p50_ms"]
           for r in result["results"]}
    env = result["env"]
    print(f"H={args.hidden}, batch 1, threads {result['plan']['threads']}, "
          f"{result['plan']['rounds']} rounds x {result['plan']['samples_per_round']} "
          f"samples per cell; {env['cpu']}; torch {env['versions'].get('torch')}, "
          f"onnxruntime {env['versions'].get('onnxruntime', '-')}")
    print(f"{'runtime':<12}{'input':<8}{'GRU p50 ms':>11}{'LSTM p50 ms':>12}"
          f"{'GRU/LSTM p50 [95% CI]':>24}{'p95 ratio':>10}")
    for r in result["ratios"]:
        key = (r["runtime"], r["mode"], r["seq_len"])
        label = "step" if r["mode"] == "step" else f"T={r['seq_len']}"
        low, high = r["p50_ratio_ci95"]
        print(f"{r['runtime']:<12}{label:<8}{p50[('gru', *key)]:>11.4f}"
              f"{p50[('lstm', *key)]:>12.4f}{r['p50_ratio']:>9.2f} [{low:.2f}, {high:.2f}]"
              f"{r['p95_ratio']:>10.2f}")


if __name__ == "__main__":
    main()
