#!/usr/bin/python3
"""Reproduces the fitted constants of configs/engines/*.yaml from the calibration rows.

Only the rows issue 10 allows are used: Splitwise-sim's A100 Llama-2-70B profile for the vLLM
engine, TensorRT-LLM's perf-overview (Llama 3.1 8B FP8 on one H100) for the TensorRT-LLM
engine. Every other constant in the engine files is published (their comments name the
source) and stays fixed here. The objective is the log errors (relative error, symmetric in over
and under) under a soft-L1 loss (squares up to 10%, linear beyond: outliers weigh less),
minimised by bounded least squares over the clustersim binary itself, so the fit sees exactly
the model `make validate` runs.

  /usr/bin/python3 validation/fit_engines.py [--engine vllm|trtllm] [--write | --check]

Prints each constant (fitted value, value in the file) and the rows' errors; --write puts the
fitted values into the engine files, and the constants every engine shares (SHARED) into the
other engines' files: by default vllm is fitted first, then trtllm on the shared values.
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    from scipy.optimize import least_squares
except ImportError:
    sys.exit("fit_engines.py needs SciPy's least_squares: apt-get install python3-scipy "
             "(and run it with Debian's /usr/bin/python3)")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_validation as rv  # noqa: E402

ENGINES = rv.ROOT / "configs" / "engines"

# engine -> (calibration table, [(section, key, unit in the file, lower, upper)])
FITS = {
    "vllm": ("splitwise_a100_llama2_70b.csv", [
        ("host", "iteration", "ms", 0.0, 50.0),
        ("host", "prefill", "ms", 0.0, 100.0),
        ("kernels", "dispatch", "us", 0.0, 200.0),
        ("gemm", "half_tokens", "", 0.0, 2048.0),
        ("attention", "stream_bandwidth", "GB/s", 1.0, 2000.0),
    ]),
    "trtllm": ("trtllm_h100_llama31_8b_fp8.csv", [
        ("host", "iteration", "ms", 0.0, 20.0),
        ("gemm", "fp8_efficiency", "%", 10.0, 100.0),
    ]),
}


# Constants of a library every engine runs on, fitted with the engine whose rows resolve them
# and copied into the others' files (which are then fitted after it: the default order).
SHARED = {"vllm": [("gemm", "half_tokens", "")]}  # cuBLAS tile quantisation: Splitwise's prompts


def read_value(text, section, key):
    m = re.search(rf"^{section}:\n(?:  .*\n)*?  {key}: ([0-9.eE+-]+)", text, re.M)
    if not m:
        raise SystemExit(f"{section}.{key} not found in the engine file")
    return float(m.group(1))


def write_value(text, section, key, value, unit):
    pattern = re.compile(rf"(^{section}:\n(?:  .*\n)*?  {key}: )[0-9.eE+-]+[^\n#]*", re.M)
    value = 0.0 if abs(value) < 1e-6 else value  # a constant fitted to its bound of zero
    shown = f"{value:.4g}" + (f" {unit}" if unit and unit != "%" else unit)
    new, n = pattern.subn(lambda m: m.group(1) + shown, text)
    if n != 1:
        raise SystemExit(f"{section}.{key} not found in the engine file")
    return new


def stale(engine, params, fitted, original):
    """The constants whose fitted value is off the file's by more than 1% (of the value, or of
    its range near zero), and shared constants another engine file holds differently."""
    out = []
    for (section, key, unit, lower, upper), v in zip(params, fitted):
        old = read_value(original, section, key)
        if abs(v - old) > max(0.01 * abs(old), 0.001 * (upper - lower)):
            out.append(f"{engine} {section}.{key}: file {old:.4g}, fit {v:.4g} {unit}")
    for section, key, _ in SHARED.get(engine, []):
        for other in sorted(set(FITS) - {engine}):
            theirs = read_value((ENGINES / f"{other}.yaml").read_text(), section, key)
            if theirs != read_value(original, section, key):
                out.append(f"{other} {section}.{key}: {theirs:.4g}, not {engine}'s shared value")
    return out


def fit(engine, binary, write):
    table, params = FITS[engine]
    rows = rv.read_table(rv.HERE / table)
    rows = [r for r in rows if r.get("role") == "calibration"]
    path = ENGINES / f"{engine}.yaml"
    original = path.read_text()
    x0 = np.array([read_value(original, s, k) for s, k, *_ in params])
    lower = np.array([p[3] for p in params])
    upper = np.array([p[4] for p in params])
    x0 = np.clip(x0, lower, upper)
    published = np.array([float(r["published"]) for r in rows])

    with tempfile.TemporaryDirectory(prefix="clustersim-fit-") as tmp:
        candidate = Path(tmp) / f"{engine}.yaml"

        def residuals(x):
            text = original
            for (section, key, unit, _, _), v in zip(params, x):
                text = write_value(text, section, key, v, unit)
            candidate.write_text(text)
            sim = np.array(rv.simulate_all(rows, binary, engines={engine: candidate}))
            return np.log(sim / published)

        # Steps of 1% of each range: the simulator rounds times to nanoseconds. A robust loss
        # (soft L1 beyond 10%): a row the cost model cannot reach (a scheduler effect, say) must
        # not drag every constant towards it.
        result = least_squares(residuals, x0, bounds=(lower, upper), diff_step=1e-2, x_scale=upper - lower,
                               loss="soft_l1", f_scale=0.1, max_nfev=60)
    errors = np.exp(result.fun) - 1
    print(f"\n{engine}: fitted on {len(rows)} rows of {table} ({result.nfev} evaluations)")
    for (section, key, unit, _, _), v, old in zip(params, result.x, x0):
        print(f"  {section}.{key:<18} {v:10.4g} {unit:<5} (file: {old:.4g})")
    for r, e in zip(rows, errors):
        print(f"  {r['id']:<18} {e:+7.1%}")
    print(f"  median |error| {np.median(np.abs(errors)):.1%}, max {np.max(np.abs(errors)):.1%}")
    problems = stale(engine, params, result.x, original)
    if write:
        text = original
        for (section, key, unit, _, _), v in zip(params, result.x):
            text = write_value(text, section, key, v, unit)
        path.write_text(text)
        print(f"  wrote {path}")
        fitted = {(section, key): v for (section, key, _, _, _), v in zip(params, result.x)}
        for other in sorted(set(FITS) - {engine}):
            other_path = ENGINES / f"{other}.yaml"
            text = other_path.read_text()
            for section, key, unit in SHARED.get(engine, []):
                text = write_value(text, section, key, fitted[(section, key)], unit)
            if SHARED.get(engine):
                other_path.write_text(text)
                print(f"  wrote the shared constants into {other_path} (fit {other} after this)")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=str(rv.ROOT / "build"))
    ap.add_argument("--engine", choices=sorted(FITS), action="append")
    ap.add_argument("--write", action="store_true", help="write the fitted values into the engine files")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a file's constant is not where the fit puts it (the model moved since)")
    a = ap.parse_args()
    if a.check and a.write:
        ap.error("--check reads the files as they are; give it without --write")
    binary = Path(a.build) / "clustersim"
    problems = []
    for engine in a.engine or sorted(FITS, reverse=True):
        problems += fit(engine, binary, a.write)
    if a.check:
        for p in problems:
            print(f"STALE {p}")
        print("engine constants: " + ("stale; rerun with --write" if problems else "at the fit"))
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
