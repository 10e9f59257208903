#!/usr/bin/python3
"""Plot the /timeline of a clustersim run and print its /summary.

Usage: /usr/bin/python3 analysis/plot_run.py RUN.h5 [-o OUT_PREFIX]

Writes OUT_PREFIX_timeline.png (one panel per timeline series, with its units), for a serving
run also OUT_PREFIX_serving.png (load and queue, replicas ready vs booting, TTFT percentiles per
interval from /requests, SLO attainment, utilization, cost), for a run with a training cluster
(/timeline/gpus_allocated) also OUT_PREFIX_cluster.png (the cluster's GPUs by use: jobs, lent to
serving, down, free; jobs waiting and running, fragmentation and cumulative goodput, failures,
the iteration time of each training job, and a count of /jobs rows by status), and prints the
summary attributes. Needs Debian's python3-h5py and python3-matplotlib (and numpy).
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


def save_figure(fig, bottom_ax, unit_name, title, out, dpi=110):
    """Labels the shared time axis, titles the figure, writes it to `out` and closes it."""
    bottom_ax.set_xlabel(f"simulated time [{unit_name}]")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    print(f"wrote {out}")


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
    s = f["summary"].attrs
    save_figure(fig, axes[-1], unit_name,
                f"clustersim: {name} — p99 TTFT {s.get('ttft_p99_s', float('nan')):.2f} s, "
                f"SLO attainment {100 * s.get('slo_attainment', float('nan')):.2f}%, "
                f"cost ${s.get('cost_usd', float('nan')):,.0f}",
                f"{prefix}_serving.png", dpi=100)


JOB_STATUS = {0: "waiting", 1: "running", 2: "finished", 3: "never fits"}


def plot_cluster(f, name, t, unit_scale, unit_name, prefix):
    """The training cluster's panels, from the series JobMetrics writes."""
    tl = f["timeline"]
    x = t / unit_scale
    iteration_keys = sorted(k for k in tl if k.startswith("iteration_s_job"))
    rows = 4 + (1 if iteration_keys else 0)
    fig, axes = plt.subplots(rows, 1, figsize=(10, 2.4 * rows), sharex=True, squeeze=False)
    ax = axes[0, 0]
    parts = [(k, label) for k, label in (("gpus_allocated", "jobs"), ("gpus_lent", "lent to serving"),
                                         ("gpus_down", "down"), ("gpus_free", "free")) if k in tl]
    ax.stackplot(x, *[tl[k][:] for k, _ in parts], labels=[label for _, label in parts], alpha=0.8)
    ax.set_ylabel("GPUs", fontsize=8)
    ax.legend(loc="upper right", fontsize=7)
    ax = axes[1, 0]
    for k in ("jobs_running", "jobs_waiting"):
        ax.plot(x, tl[k][:], label=k.replace("jobs_", ""), linewidth=0.9)
    ax.set_ylabel("jobs", fontsize=8)
    ax.legend(loc="upper right", fontsize=7)
    ax = axes[2, 0]
    ax.plot(x, tl["fragmentation"][:], label="fragmentation", linewidth=0.9)
    ax.plot(x, tl["goodput_cumulative"][:], label="goodput (cumulative)", linewidth=0.9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("fraction", fontsize=8)
    ax.legend(loc="lower right", fontsize=7)
    ax = axes[3, 0]
    ax.bar(x, tl["failures"][:], width=(x[1] - x[0]) if len(x) > 1 else 1.0, color="tab:red")
    ax.set_ylabel("job interruptions\nby failures", fontsize=8)
    if iteration_keys:
        ax = axes[4, 0]
        for k in iteration_keys:
            quoted = text(tl[k].attrs.get("description", "")).split("'")  # "... job 'name' ..."
            ax.plot(x, tl[k][:], label=quoted[1] if len(quoted) > 2 else k, linewidth=0.9)
        ax.set_ylabel("iteration [s]", fontsize=8)
        ax.legend(loc="upper right", fontsize=7)
    for ax in axes[:, 0]:
        ax.grid(alpha=0.3)
    save_figure(fig, axes[-1, 0], unit_name, f"clustersim: {name}, training cluster", f"{prefix}_cluster.png")
    if "jobs" in f and "status" in f["jobs"]:
        status = f["jobs"]["status"][:]
        counts = {JOB_STATUS.get(int(s), str(s)): int((status == s).sum()) for s in sorted(set(status.tolist()))}
        print(f"/jobs: {len(status)} rows; " + ", ".join(f"{k} {v}" for k, v in counts.items()))


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
        save_figure(fig, axes[-1, 0], unit_name, f"clustersim: {name} (seed {meta.get('seed')})",
                    f"{prefix}_timeline.png")
        if "replicas_ready" in timeline:
            serving_dashboard(f, name, prefix, t, unit_scale, unit_name)
        if "gpus_allocated" in timeline:
            plot_cluster(f, name, t, unit_scale, unit_name, prefix)

        print(f"summary of {args.run}:")
        for key, value in f["summary"].attrs.items():
            print(f"  {key:28s} {text(value)}")


if __name__ == "__main__":
    main()
