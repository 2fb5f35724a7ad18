#!/usr/bin/env python3
"""modelhost's engine against ONNX Runtime on the CPU, side by side in one run.

For each case, each repetition runs both engines, each in a process of its own so that its peak
resident memory (ru_maxrss from os.wait4) is its own:

  modelhost:    `modelhost perf MODEL --json --threads T --batch B [--seq S] ...`
  ONNX Runtime: this script with --ort-child: InferenceSession with intra_op_num_threads=T,
                inter_op_num_threads=1, sequential execution, ORT_ENABLE_ALL graph optimizations

ONNX Runtime gets the input shapes that modelhost resolved (its --json "inputs"), filled by the
same rules (floats uniform in [0, 1), token ids in [0, 100), attention masks 1, token type ids 0).
The order of the two engines alternates between repetitions; the table shows the median over the
repetitions of each engine's p50 latency, and its peak RSS. A case whose model file is missing, or
that modelhost cannot load or run, is listed as skipped with the reason.

Usage: bench/engine/run_engine_bench.py FIXTURES_DIR [--threads 2] [--repeats 3] [--cases a,b]
           [--modelhost build/bin/modelhost] [--md bench/results/engine.md]
           [--png docs/img/engine_vs_ort.png] [--json bench/results/engine.json] [--quiet-wait 180]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Case:
    name: str
    file: str  # model file name inside the fixture folder
    batch: int
    seq: int | None = None  # text models
    iterations: int = 20  # timed runs per repetition, per engine
    warmup: int = 3


CASES = [
    Case("resnet50 b1", "resnet50.onnx", 1, iterations=20),
    Case("resnet50 b8", "resnet50.onnx", 8, iterations=5),
    Case("mobilenet_v2 b1", "mobilenet_v2.onnx", 1, iterations=50),
    Case("efficientnet_b0 b1", "efficientnet_b0.onnx", 1, iterations=40),
    Case("bert_base s128 b1", "bert_base.onnx", 1, seq=128, iterations=20),
    Case("bert_base s128 b8", "bert_base.onnx", 8, seq=128, iterations=5),
    Case("minilm_l6 s128 b1", "minilm_l6.onnx", 1, seq=128, iterations=50),
]


# --- the ONNX Runtime child ----------------------------------------------------------------------


def make_feed(inputs: list[dict]) -> dict:
    """Input arrays by the rules `modelhost perf` uses (see its --help)."""
    import numpy as np

    rng = np.random.default_rng(42)
    dtypes = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
              "int8": np.int8, "uint8": np.uint8, "int16": np.int16, "uint16": np.uint16,
              "int32": np.int32, "uint32": np.uint32, "int64": np.int64, "uint64": np.uint64,
              "bool": np.bool_}
    feed = {}
    for spec in inputs:
        shape = tuple(spec["shape"])
        dt = dtypes[spec["dtype"]]
        name = spec["name"].lower()
        if spec["dtype"].startswith("float"):
            arr = rng.random(shape, dtype=np.float32).astype(dt)
        elif spec["dtype"] == "bool":
            arr = np.ones(shape, dtype=np.bool_)
        elif "mask" in name:
            arr = np.ones(shape, dtype=dt)
        elif "token_type" in name or "segment" in name:
            arr = np.zeros(shape, dtype=dt)
        elif "position" in name:
            last = shape[-1] if shape else 1
            arr = (np.arange(int(np.prod(shape))) % max(1, last)).reshape(shape).astype(dt)
        else:
            arr = rng.integers(0, 100, size=shape).astype(dt)
        feed[spec["name"]] = arr
    return feed


def ort_child(args) -> int:
    """Loads the model in ONNX Runtime, times it like `modelhost perf` and prints one JSON line."""
    import numpy as np
    import onnxruntime as ort

    spec = json.loads(args.ort_child)
    so = ort.SessionOptions()
    so.intra_op_num_threads = spec["threads"]
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    t0 = time.perf_counter()
    sess = ort.InferenceSession(spec["model"], so, providers=["CPUExecutionProvider"])
    load_ms = (time.perf_counter() - t0) * 1e3
    feed = make_feed(spec["inputs"])
    for _ in range(spec["warmup"]):
        sess.run(None, feed)
    ms = []
    start = time.perf_counter()
    for _ in range(spec["iterations"]):
        t = time.perf_counter()
        sess.run(None, feed)
        ms.append((time.perf_counter() - t) * 1e3)
    total_s = time.perf_counter() - start
    ms_sorted = sorted(ms)

    def pct(p):  # same nearest-rank rule as modelhost perf
        return ms_sorted[min(len(ms_sorted) - 1, int(p / 100 * (len(ms_sorted) - 1) + 0.5))]

    print(json.dumps({"load_ms": load_ms, "latency_ms": {"p50": pct(50), "p90": pct(90),
                      "p99": pct(99), "mean": float(np.mean(ms)), "min": ms_sorted[0]},
                      "throughput": {"runs_per_s": len(ms) / total_s}}))
    return 0


# --- the parent ----------------------------------------------------------------------------------


@dataclass
class ChildResult:
    ok: bool
    data: dict = field(default_factory=dict)
    peak_rss_mib: float = 0.0
    error: str = ""


def run_child(cmd: list[str], timeout: float) -> ChildResult:
    """Runs cmd, returns its JSON stdout line and its own peak RSS (os.wait4's ru_maxrss, KiB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    rss = usage.ru_maxrss / 1024
    if proc.returncode != 0:
        if proc.returncode == -9:
            return ChildResult(False, error=f"killed after {timeout:.0f} s", peak_rss_mib=rss)
        lines = [ln for ln in stderr.strip().splitlines() if ln.startswith("error")]
        lines = lines or stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        return ChildResult(False, error=lines[-1], peak_rss_mib=rss)
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return ChildResult(False, error=f"unreadable output: {stdout[-200:]!r}", peak_rss_mib=rss)
    return ChildResult(True, data, rss)


def cpu_busy(interval: float = 0.5) -> float:
    """Fraction of all CPUs busy over `interval`, from /proc/stat (0 where it cannot be read)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v), idle
    try:
        t0, i0 = sample()
        time.sleep(interval)
        t1, i1 = sample()
    except OSError:
        return 0.0
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> bool:
    """On a shared machine, waits (up to max_wait s) until other work leaves the CPUs alone, so
    that neither engine is timed against a compiler. True when the machine was quiet."""
    if max_wait <= 0:
        return True
    deadline = time.monotonic() + max_wait
    while True:
        if cpu_busy() < threshold:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(2)


def shown(arg) -> str:
    """A path under the repository, relative to it (commands in the docs run from its root)."""
    path = Path(str(arg))
    if path.is_absolute() and path.is_relative_to(REPO_ROOT):
        return str(path.relative_to(REPO_ROOT))
    return str(arg)


def ms(x: float) -> str:
    return f"{x:.1f}" if x >= 10 else f"{x:.3f}"


def spread(xs: list[float]) -> str:
    return f"{ms(median(xs))} ({ms(min(xs))}..{ms(max(xs))})" if len(xs) > 1 else ms(xs[0])


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_case(case: Case, args, fixtures: Path) -> dict:
    row = {"case": case.name, "file": case.file, "batch": case.batch, "seq": case.seq,
           "threads": args.threads}
    model = fixtures / case.file
    if not model.is_file():
        row["skipped"] = f"{case.file} not in {fixtures} (scripts/fixtures exports it)"
        return row
    mh_cmd = [str(args.modelhost), "perf", str(model), "--json", "--threads", str(args.threads),
              "--batch", str(case.batch), "--iterations", str(case.iterations * args.scale),
              "--warmup", str(case.warmup)]
    if case.seq is not None:
        mh_cmd += ["--seq", str(case.seq)]
    row["modelhost_command"] = shlex.join(shown(a) for a in mh_cmd)
    mh_runs, ort_runs = [], []
    inputs = None
    for rep in range(args.repeats):
        order = ["mh", "ort"] if rep % 2 == 0 or inputs is None else ["ort", "mh"]
        for engine in order:
            if not wait_for_quiet(args.quiet_wait):
                row["busy_runs"] = row.get("busy_runs", 0) + 1
            if engine == "mh":
                # The first repetition also times each op type, for the notes.
                cmd = mh_cmd + ["--profile-runs", "5" if rep == 0 else "0"]
                r = run_child(cmd, args.timeout)
                if not r.ok:
                    row["skipped"] = f"modelhost: {r.error.removeprefix('error: ')}"
                    return row
                inputs = r.data["inputs"]
                mh_runs.append(r)
            else:
                spec = {"model": str(model), "threads": args.threads, "inputs": inputs,
                        "warmup": case.warmup, "iterations": case.iterations * args.scale}
                r = run_child([sys.executable, __file__, "--ort-child", json.dumps(spec)],
                              args.timeout)
                if not r.ok:
                    row["ort_error"] = r.error
                    break
                ort_runs.append(r)
            print(f"  {case.name} rep {rep + 1}/{args.repeats} {engine}: "
                  f"p50 {r.data['latency_ms']['p50']:.2f} ms, peak RSS {r.peak_rss_mib:.0f} MiB",
                  file=sys.stderr, flush=True)
    row["inputs"] = [f"{i['name']} {i['dtype']} {i['shape']}" for i in inputs]
    row["mh_p50_ms"] = median([r.data["latency_ms"]["p50"] for r in mh_runs])
    row["mh_p50_all"] = [r.data["latency_ms"]["p50"] for r in mh_runs]
    row["mh_inf_s"] = median([r.data["throughput"]["inferences_per_s"] for r in mh_runs])
    row["mh_rss_mib"] = median([r.peak_rss_mib for r in mh_runs])
    row["mh_ops"] = mh_runs[0].data.get("op_profile", {}).get("ops", [])[:6]
    if ort_runs:
        row["ort_p50_ms"] = median([r.data["latency_ms"]["p50"] for r in ort_runs])
        row["ort_p50_all"] = [r.data["latency_ms"]["p50"] for r in ort_runs]
        rows_per_run = mh_runs[0].data["batch"]
        row["ort_inf_s"] = median([r.data["throughput"]["runs_per_s"] * rows_per_run
                                   for r in ort_runs])
        row["ort_rss_mib"] = median([r.peak_rss_mib for r in ort_runs])
        row["ratio"] = row["mh_p50_ms"] / row["ort_p50_ms"]
    return row


def ort_baseline_rss(timeout: float) -> float:
    """Peak RSS of a Python child that only imports numpy and onnxruntime."""
    r = run_child([sys.executable, "-c", "import numpy, onnxruntime; print('{}')"], timeout)
    return r.peak_rss_mib


def markdown(rows: list[dict], args, baseline_rss: float, command: str) -> str:
    out = [f"Measured {date.today().isoformat()} on {platform.machine()} with "
           f"{os.cpu_count()} CPUs, {args.threads} intra-op threads, {args.repeats} repetitions "
           f"(median); ONNX Runtime {ort_version()}.", "",
           "| case | inputs | modelhost p50 ms | ORT p50 ms | time modelhost/ORT | "
           "modelhost inf/s | ORT inf/s | modelhost peak RSS MiB | ORT peak RSS MiB |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "skipped" in r:
            out.append(f"| {r['case']} | skipped: {r['skipped']} | | | | | | | |")
            continue
        inputs = "; ".join(r["inputs"])
        if "ratio" not in r:
            out.append(f"| {r['case']} | {inputs} | {ms(r['mh_p50_ms'])} | ORT failed: "
                       f"{r.get('ort_error', '?')} | | {r['mh_inf_s']:.1f} | | "
                       f"{r['mh_rss_mib']:.0f} | |")
            continue
        out.append(f"| {r['case']} | {inputs} | {spread(r['mh_p50_all'])} | "
                   f"{spread(r['ort_p50_all'])} | **{r['ratio']:.2f}x** | {r['mh_inf_s']:.1f} | "
                   f"{r['ort_inf_s']:.1f} | {r['mh_rss_mib']:.0f} | {r['ort_rss_mib']:.0f} |")
    busy = [f"{r['case']} ({r['busy_runs']})" for r in rows if r.get("busy_runs")]
    out += ["", "p50 cells: median over the repetitions (min..max). Runs that started while other "
            "processes kept the CPUs busy: " + (", ".join(busy) if busy else "none") + "."]
    out += ["", f"ORT's peak RSS includes the Python interpreter, numpy and the onnxruntime "
            f"library: a child that only imports them peaks at {baseline_rss:.0f} MiB.", "",
            "Where modelhost's time goes (first repetition, `--profile-runs 5`), top op types:", ""]
    for r in rows:
        if r.get("mh_ops"):
            ops = ", ".join(f"{o['op_type']} {o['percent_of_run']:.0f}%" for o in r["mh_ops"])
            out.append(f"- {r['case']}: {ops}")
    out += ["", "Reproduce:", "", "```", command, "```", "", "Per case, modelhost ran:", "", "```"]
    out += [r["modelhost_command"] for r in rows if "modelhost_command" in r]
    out += ["```", ""]
    return "\n".join(out)


def ort_version() -> str:
    try:
        import onnxruntime
        return onnxruntime.__version__
    except ImportError:
        return "?"


def chart(rows: list[dict], path: Path, threads: int) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if "ratio" in r]
    if not done:
        return
    names = [r["case"] for r in done]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    ratios = [r["ratio"] for r in done]
    bars = ax1.barh(names, ratios, color=["#c0392b" if x > 1 else "#27ae60" for x in ratios])
    ax1.axvline(1.0, color="black", linewidth=1)
    ax1.set_xlabel("p50 latency, modelhost / ONNX Runtime (lower is better; 1 = same)")
    ax1.invert_yaxis()
    for b, x in zip(bars, ratios):
        ax1.text(b.get_width(), b.get_y() + b.get_height() / 2, f" {x:.2f}x", va="center")
    ax1.set_xlim(0, max(ratios) * 1.2)
    y = range(len(done))
    h = 0.38
    ax2.barh([i - h / 2 for i in y], [r["mh_rss_mib"] for r in done], h, label="modelhost")
    ax2.barh([i + h / 2 for i in y], [r["ort_rss_mib"] for r in done], h, label="ONNX Runtime")
    ax2.set_yticks(list(y), names)
    ax2.invert_yaxis()
    ax2.set_xlabel("peak RSS of the process, MiB")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    fig.suptitle(f"modelhost engine vs ONNX Runtime (CPU, {threads} intra-op threads)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fixtures", nargs="?", type=Path, help="folder with the .onnx fixtures")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1, help="multiplies every case's timed runs")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case names")
    ap.add_argument("--modelhost", type=Path, default=REPO_ROOT / "build" / "bin" / "modelhost")
    ap.add_argument("--md", type=Path, default=REPO_ROOT / "bench" / "results" / "engine.md")
    ap.add_argument("--json", type=Path, default=REPO_ROOT / "bench" / "results" / "engine.json")
    ap.add_argument("--png", type=Path, default=REPO_ROOT / "docs" / "img" / "engine_vs_ort.png")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per child process")
    ap.add_argument("--quiet-wait", type=float, default=180,
                    help="before each run, wait up to this many seconds for the CPUs to be "
                         "under 25%% busy (other processes); 0 disables")
    ap.add_argument("--ort-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.ort_child:
        return ort_child(args)
    if args.fixtures is None:
        ap.error("give the fixture folder, e.g. build/fixtures")
    if not args.modelhost.is_file():
        ap.error(f"modelhost binary {args.modelhost} not found (make build)")
    wanted = [w for w in args.cases.split(",") if w]
    cases = [c for c in CASES if not wanted or any(w in c.name for w in wanted)]
    rows = []
    for case in cases:
        print(f"{case.name}:", file=sys.stderr, flush=True)
        rows.append(bench_case(case, args, args.fixtures))
    command = shlex.join([".venv/bin/python", "bench/engine/run_engine_bench.py",
                          *(shown(a) for a in argv)])
    md = markdown(rows, args, ort_baseline_rss(args.timeout), command)
    print(md)
    for path, text in ((args.md, md), (args.json, json.dumps(rows, indent=1) + "\n")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    chart(rows, args.png, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
