#!/usr/bin/python3
"""Plots of a clustersim sweep index: where cost buys SLO attainment.

Usage: /usr/bin/python3 analysis/sweep.py DIR/index.csv [-o DIR] [--cost KEY] [--quality KEY]

Writes DIR/pareto.png (each point's cost against its SLO attainment, the points no other
beats on both joined as the Pareto frontier, labelled by their settings) and, when the sweep
has two swept settings or more, DIR/heatmap_<figure>.png over the first two of them for the
quality and the cost (the mean over seeds and any further settings, which the title names).
Reads index.csv or index.h5 as `clustersim sweep` writes them.
"""
import argparse
import os
import sys

import pandas as pd

from runfile import figure_png, np, plt


def read_index(path):
    if path.endswith(".h5"):
        from runfile import h5py
        with h5py.File(path, "r") as f:
            g = f["index"]
            frame = pd.DataFrame({k: g[k][:] for k in g})
        for k in frame:
            if frame[k].dtype == object:
                frame[k] = frame[k].str.decode("utf-8")
        return frame
    # As text: a setting reads as written ("8", not 8.0); figures are converted where used.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def swept_columns(frame):
    """The settings columns: between `point` and `seed`, as the index lays them out."""
    cols = list(frame.columns)
    return cols[cols.index("point") + 1:cols.index("seed")]


def setting_label(row, swept):
    return " ".join(f"{c.rsplit('.', 1)[-1]}={row[c]}" for c in swept if str(row[c]) != "nan")


def pareto(frame, cost, quality):
    ordered = frame.sort_values([cost, quality], ascending=[True, False])
    front, best = [], -np.inf
    for _, row in ordered.iterrows():
        if row[quality] > best:
            front.append(row)
            best = row[quality]
    return pd.DataFrame(front)


def numeric_axis(values):
    """Sort settings by number where they are numbers ("8" < "16"), else as text."""
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values, key=str)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", help="index.csv or index.h5 written by clustersim sweep")
    parser.add_argument("-o", "--output", help="folder for the PNGs (default: the index's folder)")
    parser.add_argument("--cost", default="cost_usd", help="summary column on the cost axis (default cost_usd)")
    parser.add_argument("--quality", default="slo_attainment", help="summary column to maximise (default slo_attainment)")
    args = parser.parse_args()
    frame = read_index(args.index)
    outdir = args.output or os.path.dirname(args.index) or "."
    os.makedirs(outdir, exist_ok=True)
    swept = swept_columns(frame)
    ok = frame[frame["status"] == "ok"].copy()
    for c in (args.cost, args.quality):
        if c not in ok:
            sys.exit(f"sweep.py: the index has no column '{c}' (columns: {', '.join(frame.columns)})")
        ok[c] = pd.to_numeric(ok[c], errors="coerce")
    ok = ok.dropna(subset=[args.cost, args.quality])
    print(f"{len(frame)} points, {len(ok)} ok; swept: {', '.join(swept) or 'nothing'}")
    if ok.empty:
        sys.exit("sweep.py: no finished point has both figures")

    fig, ax = plt.subplots(figsize=(9, 5.5))
    ax.scatter(ok[args.cost], ok[args.quality], s=22, color="tab:blue", alpha=0.7, label="points")
    front = pareto(ok, args.cost, args.quality)
    if len(ok) <= 40:  # few enough points to name each one; the frontier's names are drawn below
        for idx, row in ok.drop(index=front.index).iterrows():
            ax.annotate(setting_label(row, swept), (row[args.cost], row[args.quality]), fontsize=6, color="0.4",
                        xytext=(4, 3), textcoords="offset points")
    ax.plot(front[args.cost], front[args.quality], "-o", color="tab:red", ms=5, lw=1.2, label="Pareto frontier")
    for _, row in front.iterrows():
        ax.annotate(setting_label(row, swept) + f" seed {row['seed']}", (row[args.cost], row[args.quality]),
                    fontsize=7, xytext=(4, -10), textcoords="offset points")
    ax.set_xlabel(args.cost)
    ax.set_ylabel(args.quality)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{args.quality} against {args.cost}: {len(ok)} points", fontsize=10)
    fig.tight_layout()
    out = os.path.join(outdir, "pareto.png")
    figure_png(fig, out)
    print(f"wrote {out}")
    for _, row in front.iterrows():
        print(f"  frontier: {args.cost} {row[args.cost]:.5g}, {args.quality} {row[args.quality]:.5g}: "
              f"{setting_label(row, swept)} seed {row['seed']}")

    axes2 = [c for c in swept if ok[c].nunique() > 1][:2]
    if len(axes2) == 2:
        a, b = axes2
        rest = [c for c in swept if c not in axes2]
        for figure_key in (args.quality, args.cost):
            table = ok.groupby([a, b])[figure_key].mean().unstack(b) if ok[[a, b]].notna().all(axis=1).any() else None
            if table is None or table.empty:
                print(f"no point sets both {a} and {b}: no heatmap")
                break
            table = table.reindex(index=numeric_axis(table.index), columns=numeric_axis(table.columns))
            fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(table.columns), 1.4 + 0.5 * len(table.index)))
            im = ax.imshow(table.values, aspect="auto", cmap="viridis" if figure_key == args.quality else "magma_r")
            ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], fontsize=8)
            ax.set_yticks(range(len(table.index)), [str(i) for i in table.index], fontsize=8)
            ax.set_xlabel(b)
            ax.set_ylabel(a)
            for i in range(len(table.index)):
                for j in range(len(table.columns)):
                    v = table.values[i, j]
                    ax.text(j, i, "" if np.isnan(v) else f"{v:.3g}", ha="center", va="center", fontsize=7,
                            color="white")
            fig.colorbar(im, ax=ax, label=figure_key)
            over = "mean over seeds" + (" and " + ", ".join(rest) if rest else "")
            ax.set_title(f"{figure_key} ({over})", fontsize=9)
            fig.tight_layout()
            out = os.path.join(outdir, f"heatmap_{figure_key}.png")
            figure_png(fig, out)
            print(f"wrote {out}")


if __name__ == "__main__":
    main()
