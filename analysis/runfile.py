"""What the analysis scripts share: opening a clustersim run file, its timeline with a time
unit that suits its length, its summary as plain Python values and the units the run declared, a label built from the run's
--set overrides and seed, the spike phases of its demand profile, per-interval TTFT/TPOT
percentiles from /requests, the decision figures (with the fallbacks the planner uses), and
writing figures. Every script runs with Debian's /usr/bin/python3 (h5py, numpy, matplotlib,
pandas, yaml)."""
import base64
import io
import os
import re
import shlex
import sys

try:
    import h5py
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
except ImportError as e:
    sys.exit(f"{os.path.basename(sys.argv[0])}: {e}. Run it with Debian's /usr/bin/python3 "
             "(apt-get install python3-h5py python3-matplotlib python3-numpy python3-pandas python3-yaml).")

__all__ = ["h5py", "np", "plt", "MaxNLocator"]


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def open_run(path, script):
    try:
        return h5py.File(path, "r")
    except OSError as e:
        sys.exit(f"{script}: cannot open {path}: {e}")


def summary(f):
    """/summary as {name: float or str}."""
    out = {}
    for k, v in f["summary"].attrs.items():
        v = text(v)
        out[k] = v if isinstance(v, str) else float(v)
    return out


def summary_units(f):
    """{name: unit} of /summary, as the run declared them (/summary_units: "s", "USD", "1" for a
    count or ratio, "text"); empty for a file written before units were recorded."""
    group = f.get("summary_units")
    return {k: text(v) for k, v in group.attrs.items()} if group is not None else {}


def series_unit(f, name):
    """The unit of timeline series `name` (its dataset's `units` attribute)."""
    return text(f["timeline"][name].attrs.get("units", ""))


def time_unit(t_end_s):
    """(seconds per unit, unit name) so that a run's time axis reads in whole numbers."""
    if t_end_s > 2 * 86400:
        return 86400.0, "days"
    if t_end_s > 3 * 3600:
        return 3600.0, "h"
    if t_end_s > 180:
        return 60.0, "min"
    return 1.0, "s"


def overrides(f):
    """The --set assignments and --seed of the command that wrote the run, in order."""
    try:
        words = shlex.split(text(f["meta"].attrs.get("command_line", "")))
    except ValueError:
        return []
    out = []
    for i, w in enumerate(words):
        if w == "--set" and i + 1 < len(words):
            out.append(words[i + 1])
        elif w.startswith("--set="):
            out.append(w[len("--set="):])
    return out


def run_label(f, path, shared=()):
    """What tells this run from others: its --set overrides (less those in `shared`) and seed,
    never cut short."""
    name = text(f["meta"].attrs.get("scenario_name", os.path.basename(path)))
    sets = [s for s in overrides(f) if s not in shared]
    parts = [s.split("=", 1)[0].rsplit(".", 1)[-1] + "=" + s.split("=", 1)[1] if "=" in s else s for s in sets]
    return f"{name} " + (" ".join(parts) + " " if parts else "") + f"seed {f['meta'].attrs.get('seed')}"


def distinct_labels(files, paths):
    """Run labels by the overrides that differ between the runs; where two labels still
    coincide (same scenario, overrides and seed), the file names tell them apart."""
    shared = set.intersection(*[set(overrides(f)) for f in files]) if len(files) > 1 else set()
    labels = [run_label(f, p, shared) for f, p in zip(files, paths)]
    for i, lab in enumerate(labels):
        if labels.count(lab) > 1:
            labels[i] = f"{lab} [{os.path.basename(paths[i])}]"
    return labels


_UNITS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
          "days": 86400, "ms": 1e-3}


def seconds(value):
    """'90 min' -> 5400.0; a bare number is seconds; None when it is not a duration."""
    if isinstance(value, (int, float)):
        return float(value)
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([a-z]*)\s*", str(value))
    if not m or m.group(2) not in _UNITS and m.group(2):
        return None
    return float(m.group(1)) * (_UNITS[m.group(2)] if m.group(2) else 1)


def spike_phases(f):
    """[(start_s, end_s, label)] of a launch-day style demand profile (ramp, hold at peak, decay)."""
    try:
        import yaml
        doc = yaml.safe_load(text(f["meta"].attrs.get("scenario_resolved_yaml", "")))
    except Exception:  # no yaml module, or a scenario that is not plain YAML: no shading
        return []
    workloads = doc.get("workload") if isinstance(doc, dict) else None
    workloads = workloads if isinstance(workloads, list) else [workloads]
    for w in workloads:
        demand = w.get("demand") if isinstance(w, dict) else None
        if not isinstance(demand, dict) or "ramp" not in demand:
            continue
        start = seconds(demand.get("start", 0)) or 0.0
        ramp = seconds(demand.get("ramp", 0)) or 0.0
        hold = seconds(demand.get("hold", 0)) or 0.0
        decay = seconds(demand.get("decay", 0)) or 0.0
        peak = demand.get("peak", "")
        return [(start, start + ramp, "ramp"), (start + ramp, start + ramp + hold, f"peak {peak}"),
                (start + ramp + hold, start + ramp + hold + decay, "decay")]
    return []


def shade_phases(ax, phases, scale, label=True):
    colors = {"ramp": "#fde7c8", "decay": "#e3ecf7"}
    for a, b, name in phases:
        ax.axvspan(a / scale, b / scale, color=colors.get(name, "#f9d1d1"), alpha=0.6, zorder=0, lw=0)
        if label:
            ax.text((a + b) / 2 / scale, 1.0, name, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                    fontsize=7, color="0.35")


def interval_percentiles(f, t, which):
    """p50/p90/p99 per sample interval of TTFT (which='ttft') or TPOT ('tpot') from /requests,
    by the time the figure became known (first token / finish); rows of NaN where none."""
    r = f.get("requests")
    if r is None or "first_token_s" not in r:
        return None
    first = r["first_token_s"][:]
    if which == "ttft":
        when, value = first, first - r["arrival_s"][:]
    else:
        finish, out = r["finish_s"][:], r["output_tokens"][:].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(out > 1, (finish - first) / (out - 1), np.nan)
        when = finish
    ok = ~np.isnan(when) & ~np.isnan(value)
    when, value = when[ok], value[ok]
    res = np.full((3, len(t)), np.nan)
    if not len(when):
        return res
    which_interval = np.searchsorted(t, when, side="left")  # interval (t[i-1], t[i]]
    order = np.argsort(which_interval, kind="stable")
    which_interval, value = which_interval[order], value[order]
    bounds = np.searchsorted(which_interval, np.arange(len(t) + 1))
    for i in range(len(t)):
        chunk = value[bounds[i]:bounds[i + 1]]
        if len(chunk):
            res[:, i] = np.percentile(chunk, [50, 90, 99])
    return res


def usd_per_1k_tokens(s):
    """The summary's figure; else cost per 1k output tokens, as clustersim plan computes it."""
    if "usd_per_1k_tokens" in s:
        return s["usd_per_1k_tokens"]
    tokens = s.get("output_tokens_generated", 0)
    return s["cost_usd"] / tokens * 1000 if tokens and "cost_usd" in s else None


def worst_window_ttft_p99(f, s, window_s=300.0):
    """The summary's figure; else the highest p99 TTFT over windows by arrival, as the planner
    computes it (refused requests count as infinitely late, unfinished ones as late as the horizon)."""
    if "worst_window_ttft_p99_s" in s:
        return s["worst_window_ttft_p99_s"]
    r = f.get("requests")
    if r is None or "first_token_s" not in r:
        return None
    arrival, first, status = r["arrival_s"][:], r["first_token_s"][:], r["status"][:]
    horizon = float(f["meta"].attrs.get("horizon_s", np.nan))
    ttft = first - arrival
    missing = np.isnan(ttft)
    ttft[missing & (status == 3)] = horizon - arrival[missing & (status == 3)]
    ttft[missing & (status != 3)] = np.inf
    if not len(ttft):
        return None
    window = np.floor(arrival / window_s).astype(int)
    worst = 0.0
    for w in np.unique(window):
        v = np.sort(ttft[window == w])
        worst = max(worst, v[max(int(np.ceil(0.99 * len(v))), 1) - 1])
    return worst


def figure_png(fig, path=None, dpi=100):
    """Saves the figure to `path` (if given) and returns it as base64 PNG; closes it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    data = buf.getvalue()
    if path:
        with open(path, "wb") as out:
            out.write(data)
    return base64.b64encode(data).decode()
