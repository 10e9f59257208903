#!/usr/bin/python3
"""Plot the /timeline of a clustersim run and print its /summary.

Usage: /usr/bin/python3 analysis/plot_run.py RUN.h5 [-o OUT_PREFIX]

Writes OUT_PREFIX_timeline.png (one panel per timeline series, with its units) and prints the
summary attributes. Needs Debian's python3-h5py and python3-matplotlib.
"""
import argparse
import sys

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt
except ImportError as e:
    sys.exit(f"plot_run.py: {e}. Run it with Debian's /usr/bin/python3 "
             "(apt-get install python3-h5py python3-matplotlib).")


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="HDF5 file written by clustersim run")
    parser.add_argument("-o", "--output", help="prefix of the PNG files (default: the run file without .h5)")
    args = parser.parse_args()
    prefix = args.output or args.run.removesuffix(".h5")

    try:
        f = h5py.File(args.run, "r")
    except OSError as e:
        sys.exit(f"plot_run.py: cannot open {args.run}: {e}")
    with f:
        if "timeline" not in f:
            sys.exit(f"plot_run.py: {args.run} has no /timeline group")
        meta = f["meta"].attrs
        name = text(meta.get("scenario_name", "run"))
        timeline = f["timeline"]
        t = timeline["time_s"][:]
        # Several serving pools write `<pool>.<series>` beside the overall `<series>`: one panel
        # per series, the pools overlaid (and the overall line, where there is one, in black).
        panels = {}
        for k in timeline:
            if k != "time_s":
                panels.setdefault(k.split(".", 1)[-1], []).append(k)
        series = list(panels)
        unit_scale, unit_name = (3600.0, "h") if len(t) and t[-1] > 3 * 3600 else (60.0, "min")

        fig, axes = plt.subplots(len(series), 1, figsize=(10, 2.1 * len(series)), sharex=True, squeeze=False)
        for ax, key in zip(axes[:, 0], series):
            for member in panels[key]:
                ds = timeline[member]
                pool = member.split(".", 1)[0] if "." in member else None
                style = {"linewidth": 0.9} if pool or len(panels[key]) == 1 else {"linewidth": 1.2, "color": "black"}
                ax.plot(t / unit_scale, ds[:], label=pool or "all", **style)
            if len(panels[key]) > 1:
                ax.legend(fontsize=7, loc="upper left")
            ax.set_ylabel(f"{key}\n[{text(ds.attrs.get('units', ''))}]", fontsize=8)
            ax.grid(alpha=0.3)
        axes[-1, 0].set_xlabel(f"simulated time [{unit_name}]")
        fig.suptitle(f"clustersim: {name} (seed {meta.get('seed')})")
        fig.tight_layout()
        out = f"{prefix}_timeline.png"
        fig.savefig(out, dpi=110)
        print(f"wrote {out}")

        print(f"summary of {args.run}:")
        for key, value in f["summary"].attrs.items():
            print(f"  {key:28s} {text(value)}")


if __name__ == "__main__":
    main()
