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
    import numpy as np
    from matplotlib.ticker import MaxNLocator
except ImportError as e:
    sys.exit(f"plot_run.py: {e}. Run it with Debian's /usr/bin/python3 "
             "(apt-get install python3-h5py python3-matplotlib).")

from runfile import series_unit, summary_units  # noqa: E402 (after the interpreter check)


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def save_figure(fig, bottom_ax, unit_name, title, out, dpi=110):
    """Labels the shared time axis, titles the figure, writes it to `out` and closes it."""
    bottom_ax.set_xlabel(f"simulated time [{unit_name}]")
    fig.suptitle(title, fontsize=11)
    # Leave the top strip to the title, or tight_layout puts the first panel under it.
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    print(f"wrote {out}")


def ttft_percentiles(f, t):
    """p50/p90/p99 TTFT of the requests whose first token came in each sample interval."""
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

    def rates(ax):
        ax.plot(x, series("arrivals_per_s"), label="arrivals", linewidth=0.9, color="tab:blue")
        ax.plot(x, series("completions_per_s"), label="completions", linewidth=0.9, color="tab:green")
        ax.set_ylabel("requests/s")

    def queue(ax):
        ax.plot(x, series("queue_depth"), label="waiting (router + replica queues)", linewidth=0.9, color="tab:red")
        ax.set_ylabel("requests waiting")

    def running(ax):
        ax.plot(x, series("running"), label="running (in a batch)", linewidth=0.9, color="tab:blue")
        ax.set_ylabel("requests running")

    def replicas(ax):
        ax.step(x, series("replicas_ready"), where="post", label="ready", color="tab:green")
        for key, label, color in (("replicas_provisioning", "booting (provisioning + weight load)", "tab:orange"),
                                  ("replicas_draining", "draining", "0.5")):
            if series(key) is not None and series(key).max(initial=0) > 0:
                ax.step(x, series(key), where="post", label=label, color=color)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # replicas come whole
        ax.set_ylabel("replicas")

    pct = ttft_percentiles(f, t)

    def ttft(ax):
        for row, label, color in zip(pct, ("p50", "p90", "p99"), ("tab:green", "tab:orange", "tab:red")):
            ax.plot(x, row, label=f"TTFT {label}", linewidth=0.9, color=color)
        slo = f["summary"].attrs.get("slo_ttft_s", 0)
        if slo and slo > 0:
            ax.axhline(slo, color="black", linestyle="--", linewidth=0.8, label=f"SLO {slo:g} s")
        ax.set_yscale("log")
        ax.set_ylabel("TTFT per interval [s]")

    def attainment(ax):
        ax.plot(x, series("slo_attainment"), label="SLO attainment of the interval's completions", linewidth=0.9)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("fraction")

    def utilization(ax):
        for key, label in (("gpu_utilization", "busy fraction (nvidia-smi)"),
                           ("compute_utilization", "compute utilization (model FLOPs / peak)"),
                           ("kv_cache_use", "KV-cache use")):
            if series(key) is not None:
                ax.plot(x, series(key), label=label, linewidth=0.9)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("fraction")

    def cost(ax):
        ax.plot(x, series("cost_usd"), label="cumulative GPU cost", linewidth=0.9, color="tab:purple")
        ax.set_ylabel("USD")

    # A panel without data is left out rather than drawn empty.
    draws = [rates, queue, running if series("running") is not None else None, replicas,
             ttft if pct is not None and not np.all(np.isnan(pct)) else None,
             attainment if series("slo_attainment") is not None else None, utilization,
             cost if series("cost_usd") is not None else None]
    draws = [d for d in draws if d is not None]
    fig, axes = plt.subplots(len(draws), 1, figsize=(11, 2.2 * len(draws) + 0.6), sharex=True)
    for ax, draw in zip(axes, draws):
        draw(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    s = f["summary"].attrs
    save_figure(fig, axes[-1], unit_name,
                f"clustersim: {name}: p99 TTFT {s.get('ttft_p99_s', float('nan')):.2f} s, "
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
    # Fixed colours: red is for GPUs that are down, grey for free ones, never the other way round.
    colors = {"gpus_allocated": "tab:blue", "gpus_lent": "tab:orange", "gpus_down": "tab:red", "gpus_free": "0.8"}
    ax.stackplot(x, *[tl[k][:] for k, _ in parts], labels=[label for _, label in parts], alpha=0.8,
                 colors=[colors[k] for k, _ in parts])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
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
            ax.set_ylabel(f"{key}\n[{series_unit(f, key)}]", fontsize=8)
            if key.startswith("replicas_") or key.startswith("gpus_") or key.startswith("jobs_"):
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
        save_figure(fig, axes[-1, 0], unit_name, f"clustersim: {name} (seed {meta.get('seed')})",
                    f"{prefix}_timeline.png")
        if "replicas_ready" in timeline:
            serving_dashboard(f, name, prefix, t, unit_scale, unit_name)
        if "gpus_allocated" in timeline:
            plot_cluster(f, name, t, unit_scale, unit_name, prefix)

        print(f"summary of {args.run}:")
        units = summary_units(f)
        for key, value in f["summary"].attrs.items():
            unit = units.get(key, "")
            print(f"  {key:28s} {text(value)}" + (f" [{unit}]" if unit not in ("", "1", "text") else ""))


if __name__ == "__main__":
    main()
