#!/usr/bin/python3
"""Compare clustersim runs: the figures a decision rests on, side by side.

Usage: /usr/bin/python3 analysis/compare.py A.h5 B.h5 [C.h5 ...] [-o DIR]

Prints every /summary value of every run in one table (with the ratio to the first run), and
writes DIR/decision.png (a bar per run for each decision figure the runs have: $ per 1k tokens,
the p99 TTFT of the worst 5-minute window, p99 TTFT, SLO attainment, peak GPUs, cost, training
step time and MFU, and per collective job its mean time and bus bandwidth) and
DIR/timelines.png (each timeline series the runs share, overlaid, in a time unit that suits
the runs' length). Runs are labelled by their --set overrides and seed, in full.
"""
import argparse
import os
import sys

from runfile import distinct_labels, figure_png, np, open_run, plt, series_unit, summary, time_unit, usd_per_1k_tokens, \
    worst_window_ttft_p99

# (title, function of (file, summary) -> value or None, unit)
DECISION_FIGURES = [
    ("$ per 1k tokens", lambda f, s: usd_per_1k_tokens(s) if "cost_usd" in s and "requests_arrived" in s else None, "USD"),
    ("worst 5-min window p99 TTFT", lambda f, s: worst_window_ttft_p99(f, s) if "ttft_p99_s" in s else None, "s"),
    ("p99 TTFT", lambda f, s: s.get("ttft_p99_s"), "s"),
    ("SLO attainment", lambda f, s: s.get("slo_attainment"), "fraction"),
    ("peak GPUs", lambda f, s: s.get("gpus_peak", s.get("cluster_gpus")), "GPUs"),
    ("cost", lambda f, s: s.get("cost_usd", s.get("cluster_cost_usd")), "USD"),
    ("energy", lambda f, s: s.get("energy_kwh"), "kWh"),
    ("training step time", lambda f, s: s.get("training_iteration_s"), "s"),
    ("training MFU", lambda f, s: s.get("training_mfu"), "fraction"),
]


def collective_jobs(f):
    """{job: (mean time s, mean busbw GB/s)} from /collectives."""
    c = f.get("collectives")
    if c is None or "job" not in c:
        return {}
    job, time_s, busbw = c["job"][:], c["time_s"][:], c["busbw_bytes_per_s"][:]
    return {int(j): (float(np.mean(time_s[job == j])), float(np.mean(busbw[job == j])) / 1e9) for j in np.unique(job)}


def print_table(files, labels):
    sums = [summary(f) for f in files]
    keys = []
    for s in sums:
        keys += [k for k in s if k not in keys]
    width = max(len(k) for k in keys) + 2
    for i, lab in enumerate(labels):
        print(f"run {i}: {lab}")
    print("".ljust(width) + "".join(f"{'run ' + str(i):>24}" for i in range(len(files))))
    for k in keys:
        row = k.ljust(width)
        base = sums[0].get(k)
        for i, s in enumerate(sums):
            v = s.get(k)
            if v is None:
                row += f"{'-':>24}"
            elif isinstance(v, str):
                row += f"{v[:22]:>24}"
            else:
                ratio = f" ({v / base:.2f}x)" if i and isinstance(base, float) and base not in (0.0,) else ""
                row += f"{v:>14.5g}{ratio:>10}"
        print(row)


def decision_bars(files, labels, out):
    sums = [summary(f) for f in files]
    panels = []
    for title, get, unit in DECISION_FIGURES:
        values = [get(f, s) for f, s in zip(files, sums)]
        if any(v is not None and np.isfinite(v) for v in values):
            panels.append((title, [np.nan if v is None else v for v in values], unit))
    jobs = [collective_jobs(f) for f in files]
    for j in sorted(set().union(*jobs)):
        panels.append((f"collective job {j}: mean time", [d.get(j, (np.nan, np.nan))[0] for d in jobs], "s"))
        panels.append((f"collective job {j}: mean busbw", [d.get(j, (np.nan, np.nan))[1] for d in jobs], "GB/s"))
    if not panels:
        return None
    cols = min(3, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 0.5 + (1.6 + 0.32 * len(files)) * rows), squeeze=False)
    colors = plt.get_cmap("tab10").colors
    y = np.arange(len(files))
    for ax, (title, values, unit) in zip(axes.flat, panels):
        finite = np.where(np.isfinite(values), values, 0.0)
        ax.barh(y, finite, color=[colors[i % 10] for i in range(len(files))])
        for i, v in enumerate(values):
            ax.text(finite[i], i, f" {v:.4g}" if np.isfinite(v) else (" inf" if v == np.inf else " n/a"),
                    va="center", fontsize=8)
        ax.set_yticks(y, [f"run {i}" for i in range(len(files))], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{title} [{unit}]", fontsize=9)
        ax.margins(x=0.25)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    # The legend carries the full labels: a tick label would have to be cut.
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[i % 10]) for i in range(len(files))]
    fig.legend(handles, [f"run {i}: {lab}" for i, lab in enumerate(labels)], loc="lower center", fontsize=8,
               ncol=1, frameon=False)
    fig.tight_layout(rect=(0, 0.04 + 0.035 * len(files), 1, 1))
    figure_png(fig, out)
    return out


def timelines(files, labels, out):
    shared = [k for k in files[0]["timeline"] if k != "time_s" and all(k in f["timeline"] for f in files)]
    if not shared:
        return None
    t_end = max(f["timeline"]["time_s"][-1] for f in files if len(f["timeline"]["time_s"]))
    scale, unit = time_unit(t_end)
    fig, axes = plt.subplots(len(shared), 1, figsize=(10, 1.9 * len(shared) + 0.4 * len(files)), sharex=True,
                             squeeze=False)
    for ax, key in zip(axes[:, 0], shared):
        for i, f in enumerate(files):
            ax.plot(f["timeline"]["time_s"][:] / scale, f["timeline"][key][:], lw=0.9, label=f"run {i}")
        ax.set_ylabel(f"{key}\n[{series_unit(files[0], key)}]", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel(f"simulated time [{unit}]")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="lower center", fontsize=8, frameon=False)
    fig.text(0.01, 0.005, "\n".join(f"run {i}: {lab}" for i, lab in enumerate(labels)), fontsize=7, va="bottom")
    fig.tight_layout(rect=(0, 0.02 + 0.02 * len(files), 1, 1))
    figure_png(fig, out, dpi=90)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="HDF5 files written by clustersim run (or sweep points)")
    parser.add_argument("-o", "--output", default="out/compare", help="folder for the figures (default out/compare)")
    args = parser.parse_args()
    if len(args.runs) < 2:
        sys.exit("compare.py: give at least two runs")
    files = [open_run(p, "compare.py") for p in args.runs]
    labels = distinct_labels(files, args.runs)
    print_table(files, labels)
    os.makedirs(args.output, exist_ok=True)
    for out in (decision_bars(files, labels, os.path.join(args.output, "decision.png")),
                timelines(files, labels, os.path.join(args.output, "timelines.png"))):
        if out:
            print(f"wrote {out}")
    for f in files:
        f.close()


if __name__ == "__main__":
    main()
