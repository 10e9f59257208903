#!/usr/bin/python3
"""End-to-end tests of `clustersim sweep` / `plan` and the analysis scripts, run by CTest:

  sweep_cli_test.py EXE SOURCE_DIR index|resume|killed|mpi|analysis [MPIEXEC]

index:    the index has one row per point, in both index.csv and index.h5.
resume:   a second run reruns nothing (the point files stay as they were).
killed:   a sweep killed (SIGKILL, with its children) after its first point resumes, reruns
          only what was not finished, and ends with every point.
mpi:      `mpirun -n 2` gives the same index as a local run, and `mpirun -n 3 plan` the same
          plan as a local one.
analysis-report, analysis-compare, analysis-sweep: report.py, compare.py (+ plot_run.py) and
          sweep.py write non-empty outputs for real runs.
example FILE: a worked example of configs/plans or configs/sweeps runs, reduced (a few
          simulated minutes, one seed, a narrow search).
"""
import csv
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXE, SRC, WHAT = sys.argv[1], sys.argv[2], sys.argv[3]
PY = "/usr/bin/python3"

# A queue whose points take a moment each (~100k arrivals): enough to kill a sweep mid-way.
BASE = """name: q
seed: 5
simulation: {horizon: 20 min, sample_interval: 1 min}
queueing:
  arrivals: {process: poisson, rate: 80/s}
  service_time: {distribution: exponential, mean: 0.5 s}
  servers: 48
  price: $2/h
output: {requests_table: false}
"""

SWEEP = """scenario: base.yaml
grid:
  queueing.servers: [44, 48, 52]
  queueing.price: [$1/h, $2/h]
seeds: [1, 2]
output: {out}
"""

PLAN = """scenario: base.yaml
set: {{simulation.horizon: 2 min}}
slo: {{at_most: {{wait_p99_s: 0.5}}}}
candidates:
  variants:
    - {{queueing.service_time.mean: 0.5 s}}
    - {{queueing.service_time.mean: 0.3 s, queueing.price: $3/h}}
search: {{path: queueing.servers, min: 20, max: 64}}
seeds: [3]
output: {out}
"""


def run(*args, **kw):
    p = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"FAILED ({p.returncode}): {' '.join(args)}\n{p.stdout}\n{p.stderr}")
    return p


def index_rows(folder, drop=("wall_s",)):
    with open(os.path.join(folder, "index.csv")) as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


def point_files(folder):
    return {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(folder, "points", "*.json"))}


def setup(d):
    with open(os.path.join(d, "base.yaml"), "w") as f:
        f.write(BASE)
    with open(os.path.join(d, "sweep.yaml"), "w") as f:
        f.write(SWEEP.format(out=os.path.join(d, "out")))
    with open(os.path.join(d, "plan.yaml"), "w") as f:
        f.write(PLAN.format(out=os.path.join(d, "plan")))


def check(condition, message):
    if not condition:
        sys.exit("FAILED: " + message)


def test_index(d):
    run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2", "-q")
    rows = index_rows(os.path.join(d, "out"))
    check(len(rows) == 12, f"12 points expected, index has {len(rows)}")
    check(all(r["status"] == "ok" for r in rows), "every point ok")
    check({r["queueing.servers"] for r in rows} == {"44", "48", "52"}, "servers column")
    check({r["seed"] for r in rows} == {"1", "2"}, "seed column")
    check(all(float(r["cost_usd"]) > 0 for r in rows), "cost_usd in every row")
    import h5py
    with h5py.File(os.path.join(d, "out", "index.h5")) as f:
        check(len(f["index/point"]) == 12, "index.h5 has 12 rows")
        check(f["index/cost_usd"].dtype.kind == "f", "numeric summary columns are numbers in index.h5")


def test_resume(d):
    run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2", "-q")
    before = point_files(os.path.join(d, "out"))
    p = run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2")
    check("12 reused" in p.stderr, f"second run reuses all 12 points: {p.stderr}")
    check(point_files(os.path.join(d, "out")) == before, "no point file rewritten")


def test_killed(d):
    out = os.path.join(d, "out")
    proc = subprocess.Popen([EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "1", "-q"], start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(point_files(out)) < 1:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and the point it was running
    proc.wait()
    finished = point_files(out)
    check(1 <= len(finished) < 12, f"killed after {len(finished)} of 12 points")
    check(not os.path.exists(os.path.join(out, "index.csv")), "no index from the killed sweep")
    p = run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2")
    check(f"{len(finished)} reused" in p.stderr, f"resumed sweep reuses the {len(finished)} finished: {p.stderr}")
    after = point_files(out)
    check(all(after[k] == v for k, v in finished.items()), "finished points not rerun")
    rows = index_rows(out)
    check(len(rows) == 12 and all(r["status"] == "ok" for r in rows), "resumed sweep has all 12 points")


def test_mpi(d, mpiexec):
    flags = [mpiexec, "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2", "-q")
    local = index_rows(os.path.join(d, "out"))
    shutil.rmtree(os.path.join(d, "out"))
    run(*flags, "-n", "2", EXE, "sweep", os.path.join(d, "sweep.yaml"), "-q")
    check(index_rows(os.path.join(d, "out")) == local, "2-rank MPI index equals the local one")
    local_plan = run(EXE, "plan", os.path.join(d, "plan.yaml"), "-j", "2", "-q").stdout
    shutil.rmtree(os.path.join(d, "plan"))
    mpi_plan = run(*flags, "-n", "3", EXE, "plan", os.path.join(d, "plan.yaml"), "-q").stdout
    check(mpi_plan == local_plan, f"MPI plan equals local plan:\n{local_plan}\n---\n{mpi_plan}")
    check("Cheapest configurations" in local_plan, "plan prints its ranked table")


def serving_run(d, name, *sets):
    out = os.path.join(d, name)
    scenario = os.path.join(SRC, "configs", "scenarios", "steady_state.yaml")
    args = [EXE, "run", scenario, "-q", "-o", out, "--set", "simulation.horizon=3 min"]
    for s in sets:
        args += ["--set", s]
    run(*args)
    return out


def test_analysis_report(d):
    a = serving_run(d, "a.h5")
    run(PY, os.path.join(SRC, "analysis", "report.py"), a, "-o", os.path.join(d, "report"))
    html = open(os.path.join(d, "report", "report.html")).read()
    check(html.count("data:image/png;base64,") >= 4, "report embeds its figures")
    check("p99 time to first token" in html, "report has the headline figures")


def test_analysis_compare(d):
    a = serving_run(d, "a.h5")
    b = serving_run(d, "b.h5", "serving.pool.initial_replicas=2")
    p = run(PY, os.path.join(SRC, "analysis", "compare.py"), a, b, "-o", os.path.join(d, "cmp"))
    check("initial_replicas=2" in p.stdout, "compare labels runs by their --set overrides")
    for f in ("decision.png", "timelines.png"):
        check(os.path.getsize(os.path.join(d, "cmp", f)) > 1000, f"compare wrote {f}")
    p = run(PY, os.path.join(SRC, "analysis", "plot_run.py"), a, "-o", os.path.join(d, "plot"))
    check(os.path.getsize(os.path.join(d, "plot_serving.png")) > 1000, "plot_run wrote the serving dashboard")


def test_analysis_sweep(d):
    run(EXE, "sweep", os.path.join(d, "sweep.yaml"), "-j", "2", "-q")
    p = run(PY, os.path.join(SRC, "analysis", "sweep.py"), os.path.join(d, "out", "index.csv"), "--quality",
            "utilization_mean", "-o", os.path.join(d, "sw"))
    for f in ("pareto.png", "heatmap_utilization_mean.png", "heatmap_cost_usd.png"):
        check(os.path.getsize(os.path.join(d, "sw", f)) > 1000, f"sweep.py wrote {f}")


def test_example(d, path):
    import yaml
    with open(path) as f:
        doc = yaml.safe_load(f)
    doc["scenario"] = os.path.join(os.path.dirname(os.path.abspath(path)), doc["scenario"])
    doc["output"] = os.path.join(d, "example")
    doc.setdefault("set", {})["simulation.horizon"] = "3 min"
    doc.pop("replications", None)
    doc["seeds"] = [1]
    is_plan = "search" in doc
    if is_plan:
        doc["search"]["max"] = min(doc["search"]["max"], 8)
    reduced = os.path.join(d, os.path.basename(path))
    with open(reduced, "w") as f:
        yaml.safe_dump(doc, f)
    p = run(EXE, "plan" if is_plan else "sweep", reduced, "-j", "2", "-q")
    if is_plan:
        check("Cheapest configurations that meet every SLO" in p.stdout, f"plan prints its table: {p.stdout}")
    else:
        rows = index_rows(os.path.join(d, "example"))
        check(rows and all(r["status"] == "ok" for r in rows), f"every point of {path} runs: {rows}")


def main():
    d = tempfile.mkdtemp(prefix="clustersim-sweep-")
    try:
        setup(d)
        if WHAT == "mpi":
            test_mpi(d, sys.argv[4])
        elif WHAT == "example":
            test_example(d, sys.argv[4])
        else:
            {"index": test_index, "resume": test_resume, "killed": test_killed, "analysis-report": test_analysis_report,
             "analysis-compare": test_analysis_compare, "analysis-sweep": test_analysis_sweep}[WHAT](d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(f"{WHAT}: ok")


if __name__ == "__main__":
    main()
