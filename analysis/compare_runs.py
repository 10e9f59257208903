#!/usr/bin/python3
"""Compare clustersim runs side by side.

Usage: /usr/bin/python3 analysis/compare_runs.py A.h5 B.h5 [C.h5 ...] [-o OUT_PREFIX]

Prints every /summary value of every run in one table (with the ratio to the first run),
and writes OUT_PREFIX_timeline.png with each timeline series the runs share, overlaid.
"""
import argparse
import os
import sys

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:
    sys.exit(f"compare_runs.py: {e}. Run it with Debian's /usr/bin/python3 "
             "(apt-get install python3-h5py python3-matplotlib).")


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def label(f, path):
    name = text(f["meta"].attrs.get("scenario_name", os.path.basename(path)))
    return f"{name} seed {f['meta'].attrs.get('seed')} [{os.path.basename(path)}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="HDF5 files written by clustersim run")
    parser.add_argument("-o", "--output", default="out/compare", help="prefix of the PNG file (default out/compare)")
    args = parser.parse_args()
    if len(args.runs) < 2:
        sys.exit("compare_runs.py: give at least two runs")

    files = []
    for path in args.runs:
        try:
            files.append(h5py.File(path, "r"))
        except OSError as e:
            sys.exit(f"compare_runs.py: cannot open {path}: {e}")
    labels = [label(f, p) for f, p in zip(files, args.runs)]

    keys = []
    for f in files:
        keys += [k for k in f["summary"].attrs if k not in keys]
    width = max(len(k) for k in keys) + 2
    print("".ljust(width) + "".join(f"{lab[:22]:>24}" for lab in labels))
    for k in keys:
        row = k.ljust(width)
        base = files[0]["summary"].attrs.get(k)
        for f in files:
            v = f["summary"].attrs.get(k)
            if v is None:
                row += f"{'-':>24}"
            elif isinstance(v, (bytes, str)):
                row += f"{text(v)[:22]:>24}"
            else:
                ratio = f" ({v / base:.2f}x)" if f is not files[0] and base not in (None, 0) else ""
                row += f"{v:>14.5g}{ratio:>10}"
        print(row)

    shared = [k for k in files[0]["timeline"] if k != "time_s" and all(k in f["timeline"] for f in files)]
    if shared:
        fig, axes = plt.subplots(len(shared), 1, figsize=(10, 2.1 * len(shared)), sharex=True, squeeze=False)
        for ax, key in zip(axes[:, 0], shared):
            for f, lab in zip(files, labels):
                ax.plot(f["timeline"]["time_s"][:] / 60.0, f["timeline"][key][:], linewidth=0.9, label=lab)
            ax.set_ylabel(f"{key}\n[{text(files[0]['timeline'][key].attrs.get('units', ''))}]", fontsize=8)
            ax.grid(alpha=0.3)
        axes[0, 0].legend(fontsize=8)
        axes[-1, 0].set_xlabel("simulated time [min]")
        fig.tight_layout()
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        out = f"{args.output}_timeline.png"
        fig.savefig(out, dpi=110)
        print(f"wrote {out}")
    for f in files:
        f.close()


if __name__ == "__main__":
    main()
