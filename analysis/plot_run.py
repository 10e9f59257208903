#!/usr/bin/python3
"""Plot the /timeline of a clustersim run and print its /summary.

Usage: /usr/bin/python3 analysis/plot_run.py RUN.h5 [-o OUT_PREFIX]

Writes OUT_PREFIX_timeline.png (one panel per timeline series, with its units), for a serving
run also OUT_PREFIX_serving.png (load and queue, replicas ready vs booting, TTFT percentiles per
interval from /requests, SLO attainment, utilization, cost), and prints the summary attributes.
Needs Debian's python3-h5py and python3-matplotlib (and numpy).
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


def ttft_percentiles(f, t):
    """p50/p90/p99 TTFT of the requests whose first token came in each sample interval."""
    import numpy as np

    if "requests" not in f or "first_token_s" not in f["requests"]:
        return None
    first = f["requests/first_token_s"][:]
    ttft = first - f["requests/arrival_s"][:]
    ok = ~np.isnan(first)
    first, ttft = first[ok], ttft[ok]
    edges = np.concatenate(([-np.inf], t))
    which = np.searchsorted(edges, first, side="left") - 1  # interval (t[i-1], t[i]]
    out = np.full((3, len(t)), np.nan)
    order = np.argsort(which, kind="stable")
    which, ttft = which[order], ttft[order]
    bounds = np.searchsorted(which, np.arange(len(t) + 1))
    for i in range(len(t)):
        chunk = ttft[bounds[i]:bounds[i + 1]]
        if len(chunk):
            out[:, i] = np.percentile(chunk, [50, 90, 99])
    return out


def serving_dashboard(f, name, prefix, t, scale, unit_name):
    timeline = f["timeline"]

    def series(key):
        return timeline[key][:] if key in timeline else None

    x = t / scale
    fig, axes = plt.subplots(7, 1, figsize=(11, 17), sharex=True)
    ax = axes[0]
    ax.plot(x, series("arrivals_per_s"), label="arrivals", linewidth=0.9)
    ax.plot(x, series("completions_per_s"), label="completions", linewidth=0.9)
    ax.set_ylabel("requests/s")
    ax = axes[1]
    ax.plot(x, series("queue_depth"), label="waiting (router + replica queues)", linewidth=0.9)
    ax.plot(x, series("running"), label="running (in a batch)", linewidth=0.9)
    ax.set_ylabel("requests")
    ax = axes[2]
    ax.step(x, series("replicas_ready"), where="post", label="ready")
    ax.step(x, series("replicas_provisioning"), where="post", label="booting (provisioning + weight load)")
    if series("replicas_draining") is not None:
        ax.step(x, series("replicas_draining"), where="post", label="draining", alpha=0.7)
    ax.set_ylabel("replicas")
    ax = axes[3]
    pct = ttft_percentiles(f, t)
    if pct is not None:
        for row, label in zip(pct, ("p50", "p90", "p99")):
            ax.plot(x, row, label=f"TTFT {label}", linewidth=0.9)
        slo = f["summary"].attrs.get("slo_ttft_s", 0)
        if slo and slo > 0:
            ax.axhline(slo, color="red", linestyle="--", linewidth=0.8, label=f"SLO {slo:g} s")
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "no /requests table (output.requests_table: false)", ha="center", transform=ax.transAxes)
    ax.set_ylabel("TTFT per interval [s]")
    ax = axes[4]
    ax.plot(x, series("slo_attainment"), label="SLO attainment of the interval's completions", linewidth=0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("fraction")
    ax = axes[5]
    for key, label in (("gpu_utilization", "busy fraction (nvidia-smi)"),
                       ("compute_utilization", "compute utilization (model FLOPs / peak)"),
                       ("kv_cache_use", "KV-cache use")):
        if series(key) is not None:
            ax.plot(x, series(key), label=label, linewidth=0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("fraction")
    ax = axes[6]
    ax.plot(x, series("cost_usd"), label="cumulative GPU cost", linewidth=0.9)
    ax.set_ylabel("USD")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    axes[-1].set_xlabel(f"simulated time [{unit_name}]")
    s = f["summary"].attrs
    fig.suptitle(f"clustersim: {name} — p99 TTFT {s.get('ttft_p99_s', float('nan')):.2f} s, "
                 f"SLO attainment {100 * s.get('slo_attainment', float('nan')):.2f}%, "
                 f"cost ${s.get('cost_usd', float('nan')):,.0f}")
    fig.tight_layout()
    out = f"{prefix}_serving.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    print(f"wrote {out}")


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
        plt.close(fig)
        print(f"wrote {out}")
        if "replicas_ready" in timeline:
            serving_dashboard(f, name, prefix, t, unit_scale, unit_name)

        print(f"summary of {args.run}:")
        for key, value in f["summary"].attrs.items():
            print(f"  {key:28s} {text(value)}")


if __name__ == "__main__":
    main()
