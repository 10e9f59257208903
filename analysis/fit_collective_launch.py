#!/usr/bin/python3
"""Fits the per-call launch overhead of a collective (CollectiveTuning::launch_overhead) to the
calibration rows of validation/nccl_vidur_dgx_a100.csv: Vidur's 8x A100 DGX all-reduce medians.

The overhead adds the same time to every protocol and algorithm, so the rest of the model is
run once with none (`clustersim collective --launch-overhead-us 0`) and the overhead L that
minimises the largest relative error max_i |(t_i + L) / published_i - 1| is found by a scan.

  /usr/bin/python3 analysis/fit_collective_launch.py [--build build]
"""
import argparse
import csv
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def simulated_ms(binary, row):
    out = subprocess.run([binary, "collective", "--json", "--topology", row["topology"], "--op", row["op"],
                          "--min-bytes", row["bytes"], "--max-bytes", row["bytes"], "--gpus", row["tp"],
                          "--launch-overhead-us", "0"], check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out)[0]["time_s"] * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    args = parser.parse_args()
    binary = str(ROOT / args.build / "clustersim")
    with open(ROOT / "validation" / "nccl_vidur_dgx_a100.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["role"] == "calibration"]
    base = [(simulated_ms(binary, r), float(r["published"])) for r in rows]
    best = min((max(abs((t + l_us / 1e3) / y - 1) for t, y in base), l_us) for l_us in range(0, 1000))
    print(f"launch_overhead = {best[1]} us (largest |error| {best[0]:.1%})")
    for (t, y), r in zip(base, rows):
        print(f"  {r['id']:22s} published {y:.3f} ms  simulated {t + best[1] / 1e3:.3f} ms  "
              f"error {(t + best[1] / 1e3) / y - 1:+.1%}")


if __name__ == "__main__":
    main()
