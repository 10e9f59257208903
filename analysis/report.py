#!/usr/bin/python3
"""One self-contained HTML page about one clustersim run, for people who were not there.

Usage: /usr/bin/python3 analysis/report.py RUN.h5 [-o DIR]

Writes DIR/report.html (figures embedded as PNG, no other files needed to view it) and each
figure as DIR/<name>.png: the scenario and its headline figures, then demand and replicas
(the demand profile's spike phases shaded), queue and running requests on their own axes,
TTFT and TPOT percentiles per interval against the SLO, cost and power, GPU and link
utilization, and the training cluster (GPUs by use, goodput, iteration time) where the run has
one. A panel whose data the run does not have is left out. DIR defaults to the run file
without .h5, plus _report.
"""
import argparse
import html
import os

from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from runfile import (MaxNLocator, figure_png, interval_percentiles, np, open_run, plt, shade_phases, spike_phases,
                     summary, text, time_unit, usd_per_1k_tokens, worst_window_ttft_p99)


def headline(f, s):
    """(label, value) rows of the figures a decision rests on, those the run has."""
    rows = []

    def add(label, value, fmt):
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            rows.append((label, fmt.format(value)))

    add("requests arrived", s.get("requests_arrived"), "{:,.0f}")
    add("SLO attainment (met / arrived)", s.get("slo_attainment") and 100 * s["slo_attainment"], "{:.2f}%")
    add("p99 time to first token", s.get("ttft_p99_s"), "{:.3g} s")
    add("worst 5-min window p99 TTFT", worst_window_ttft_p99(f, s) if "ttft_p99_s" in s else None, "{:.3g} s")
    add("p99 time per output token", s.get("tpot_p99_s") and 1000 * s["tpot_p99_s"], "{:.3g} ms")
    add("peak GPUs", s.get("gpus_peak"), "{:,.0f}")
    add("GPU-hours", s.get("gpu_hours"), "{:,.1f}")
    add("cost", s.get("cost_usd"), "${:,.2f}")
    add("$ per 1k tokens", usd_per_1k_tokens(s) if "cost_usd" in s and "requests_arrived" in s else None, "${:.5f}")
    add("$ per request meeting the SLO", s.get("usd_per_slo_request"), "${:.5f}")
    add("energy", s.get("energy_kwh"), "{:,.1f} kWh")
    add("average / peak power", (s["avg_power_kw"], s["peak_power_kw"]) if "avg_power_kw" in s and "peak_power_kw" in s
        else None, "")
    if rows and rows[-1][0] == "average / peak power":
        rows[-1] = (rows[-1][0], f"{s['avg_power_kw']:,.1f} / {s['peak_power_kw']:,.1f} kW")
    add("cluster GPUs", s.get("cluster_gpus"), "{:,.0f}")
    add("cluster utilization", s.get("cluster_utilization") and 100 * s["cluster_utilization"], "{:.1f}%")
    add("cluster goodput", s.get("cluster_goodput") and 100 * s["cluster_goodput"], "{:.1f}%")
    add("training MFU", s.get("training_mfu") and 100 * s["training_mfu"], "{:.1f}%")
    add("training iteration", s.get("training_iteration_s"), "{:.3g} s")
    add("collective busbw (mean)", s.get("collective_busbw_mean_bytes_per_s") and
        s["collective_busbw_mean_bytes_per_s"] / 1e9, "{:.1f} GB/s")
    return rows


class Panels:
    """Figures of one run, each a list of axes drawn by a function; absent data, no figure."""

    def __init__(self, f, outdir):
        self.f, self.outdir = f, outdir
        self.tl = f["timeline"]
        self.t = self.tl["time_s"][:]
        self.scale, self.unit = time_unit(self.t[-1] if len(self.t) else 0)
        self.x = self.t / self.scale
        self.phases = spike_phases(f)
        self.s = summary(f)
        self.figures = []  # (title, base64 png)

    def has(self, *keys):
        return all(k in self.tl for k in keys)

    def series(self, k):
        return self.tl[k][:]

    def figure(self, name, title, draws):
        """One figure of stacked panels sharing the time axis; `draws`: functions of an axis."""
        draws = [d for d in draws if d is not None]
        if not draws:
            return
        fig, axes = plt.subplots(len(draws), 1, figsize=(10, 2.5 * len(draws) + 0.6), sharex=True, squeeze=False)
        for i, (ax, draw) in enumerate(zip(axes[:, 0], draws)):
            shade_phases(ax, self.phases, self.scale, label=(i == 0))
            draw(ax)
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8, loc="upper left")
        axes[-1, 0].set_xlabel(f"simulated time [{self.unit}]")
        axes[-1, 0].set_xlim(self.x[0], self.x[-1]) if len(self.x) > 1 else None
        fig.suptitle(title, fontsize=11)
        fig.tight_layout()
        self.figures.append((title, figure_png(fig, os.path.join(self.outdir, f"{name}.png"))))

    def demand_and_replicas(self):
        if not self.has("arrivals_per_s"):
            return

        def demand(ax):
            ax.plot(self.x, self.series("arrivals_per_s"), lw=0.8, color="tab:blue", label="arrivals")
            if self.has("completions_per_s"):
                ax.plot(self.x, self.series("completions_per_s"), lw=0.8, color="tab:green", label="completions")
            ax.set_ylabel("requests/s")

        def replicas(ax):
            ax.step(self.x, self.series("replicas_ready"), where="post", color="tab:green", label="ready")
            for k, c, lab in (("replicas_provisioning", "tab:orange", "booting"), ("replicas_draining", "0.5", "draining")):
                if self.has(k) and np.nanmax(self.series(k), initial=0) > 0:
                    ax.step(self.x, self.series(k), where="post", color=c, label=lab)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("replicas")

        self.figure("demand_replicas", "Demand and replicas", [demand, replicas if self.has("replicas_ready") else None])

    def queue_and_running(self):
        draws = []
        for k, lab, c in (("queue_depth", "waiting (router + replica queues)", "tab:red"),
                          ("running", "running (in a batch)", "tab:blue")):
            if self.has(k):
                draws.append(lambda ax, k=k, lab=lab, c=c: (ax.plot(self.x, self.series(k), lw=0.8, color=c, label=lab),
                                                            ax.set_ylabel("requests")))
        self.figure("queue_running", "Queue and running requests", draws)

    def latency(self):
        draws = []
        for which, slo_key, unit_scale, unit in (("ttft", "slo_ttft_s", 1.0, "s"), ("tpot", "slo_tpot_s", 1e3, "ms")):
            pct = interval_percentiles(self.f, self.t, which)
            if pct is None or np.all(np.isnan(pct)):
                continue

            def draw(ax, pct=pct, which=which, slo_key=slo_key, k=unit_scale, unit=unit):
                for row, lab, c in zip(pct, ("p50", "p90", "p99"), ("tab:green", "tab:orange", "tab:red")):
                    ax.plot(self.x, row * k, lw=0.8, color=c, label=f"{which.upper()} {lab}")
                slo = self.s.get(slo_key)
                if isinstance(slo, float) and slo > 0:
                    ax.axhline(slo * k, color="black", ls="--", lw=0.9, label=f"SLO {slo * k:g} {unit}")
                ax.set_yscale("log")
                # Ticks at 1, 2, 5 x 10^k written plainly (60, not 6x10^1); no crowded minor labels.
                ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.yaxis.set_minor_formatter(NullFormatter())
                ax.set_ylabel(f"{which.upper()} per interval [{unit}]")
            draws.append(draw)
        self.figure("latency", "Latency percentiles per interval against the SLO", draws)

    def cost_and_power(self):
        draws = []
        if self.has("cost_usd"):
            draws.append(lambda ax: (ax.plot(self.x, self.series("cost_usd"), lw=1, color="tab:purple",
                                             label="cumulative cost"), ax.set_ylabel("USD")))
        if self.has("cost_usd_per_h"):
            draws.append(lambda ax: (ax.plot(self.x, self.series("cost_usd_per_h"), lw=0.8, color="tab:purple",
                                             label="spend rate"), ax.set_ylabel("USD/h")))
        if self.has("power_kw"):
            draws.append(lambda ax: (ax.plot(self.x, self.series("power_kw"), lw=0.8, color="tab:brown",
                                             label="power"), ax.set_ylabel("kW")))
        self.figure("cost_power", "Cost and power", draws)

    def utilization(self):
        gpu = [(k, lab) for k, lab in (("gpu_utilization", "busy fraction (nvidia-smi)"),
                                       ("compute_utilization", "model FLOPs / peak (MFU)"),
                                       ("kv_cache_use", "KV-cache use")) if self.has(k)]
        links = sorted(k for k in self.tl if k.startswith("link_util_") and not k.startswith("link_util_top"))
        draws = []
        if gpu:
            def draw_gpu(ax):
                for k, lab in gpu:
                    ax.plot(self.x, self.series(k), lw=0.8, label=lab)
                ax.set_ylim(-0.02, 1.02)
                ax.set_ylabel("fraction")
            draws.append(draw_gpu)
        if links:
            def draw_links(ax):
                for k in links:
                    ax.plot(self.x, self.series(k), lw=0.8, label=k.removeprefix("link_util_"))
                ax.set_ylim(bottom=0)
                ax.set_ylabel("link utilization")
            draws.append(draw_links)
        title = " and ".join(t for t, present in (("GPU", gpu), ("link", links)) if present) + " utilization"
        self.figure("utilization", title, draws)

    def training(self):
        if not self.has("gpus_allocated"):
            return

        def gpus(ax):
            parts = [(k, lab) for k, lab in (("gpus_allocated", "jobs"), ("gpus_lent", "lent to serving"),
                                             ("gpus_down", "down"), ("gpus_free", "free")) if self.has(k)]
            ax.stackplot(self.x, *[self.series(k) for k, _ in parts], labels=[lab for _, lab in parts], alpha=0.8,
                         colors=["tab:blue", "tab:orange", "tab:red", "0.85"][:len(parts)])
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("GPUs")

        def goodput(ax):
            ax.plot(self.x, self.series("goodput_cumulative"), lw=1, label="goodput (cumulative)")
            if self.has("fragmentation"):
                ax.plot(self.x, self.series("fragmentation"), lw=0.8, label="fragmentation")
            ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel("fraction")

        iters = sorted(k for k in self.tl if k.startswith("iteration_s_job"))

        def iteration(ax):
            for k in iters:
                quoted = text(self.tl[k].attrs.get("description", "")).split("'")
                ax.plot(self.x, self.series(k), lw=0.9, label=quoted[1] if len(quoted) > 2 else k)
            ax.set_ylabel("iteration [s]")

        self.figure("training", "Training cluster", [gpus, goodput if self.has("goodput_cumulative") else None,
                                                      iteration if iters else None])


def page(f, path, rows, figures):
    meta = f["meta"].attrs
    name = html.escape(text(meta.get("scenario_name", "run")))
    yaml_text = html.escape(text(meta.get("scenario_resolved_yaml", "")))
    desc = ""
    for line in text(meta.get("scenario_resolved_yaml", "")).splitlines():
        if line.startswith("description:"):
            desc = html.escape(line.split(":", 1)[1].strip().strip("'\""))
    table = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    imgs = "\n".join(f'<h2>{html.escape(t)}</h2>\n<img alt="{html.escape(t)}" src="data:image/png;base64,{b}">'
                     for t, b in figures)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>clustersim report: {name}</title>
<style>body{{font-family:sans-serif;max-width:1050px;margin:2em auto;color:#222}}
table{{border-collapse:collapse}}th,td{{padding:3px 12px;border-bottom:1px solid #ddd;text-align:left}}
td{{font-variant-numeric:tabular-nums}}img{{max-width:100%}}pre{{background:#f6f6f6;padding:1em;overflow:auto}}
.meta{{color:#666}}</style></head><body>
<h1>{name}</h1><p>{desc}</p>
<p class="meta">{html.escape(os.path.basename(path))} &middot; seed {meta.get('seed')} &middot; horizon
{float(meta.get('horizon_s', 0)) / 3600:.3g} h &middot; {html.escape(text(meta.get('command_line', '')))}</p>
<h2>Headline figures</h2><table>{table}</table>
{imgs}
<h2>Scenario as run</h2><details><summary>resolved YAML (after extends and --set)</summary><pre>{yaml_text}</pre></details>
</body></html>
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="HDF5 file written by clustersim run")
    parser.add_argument("-o", "--output", help="folder for report.html and the PNGs (default RUN_report)")
    args = parser.parse_args()
    outdir = args.output or args.run.removesuffix(".h5") + "_report"
    os.makedirs(outdir, exist_ok=True)
    with open_run(args.run, "report.py") as f:
        if "timeline" not in f:
            raise SystemExit(f"report.py: {args.run} has no /timeline group")
        p = Panels(f, outdir)
        for draw in (p.demand_and_replicas, p.queue_and_running, p.latency, p.cost_and_power, p.utilization,
                     p.training):
            draw()
        out = os.path.join(outdir, "report.html")
        with open(out, "w") as h:
            h.write(page(f, args.run, headline(f, p.s), p.figures))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
