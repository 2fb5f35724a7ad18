#!/usr/bin/env python3
"""HTTP throughput and latency of `modelhost run` serving identity_fp32 (16 floats per request).

Binary tensor data: NVIDIA perf_analyzer (it always sends inputs as binary over HTTP).
JSON data: perf_analyzer has no JSON-body mode, so a small keep-alive load generator in this file
sends `{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":[...]}]}` from N threads.
Being Python, it saturates sooner than the server at high concurrency: its numbers are a floor.

Each (mode, concurrency) point runs --repeats times; the table shows the median infer/s, p50 and
p99 of those runs, plus the server's resident memory (VmRSS) idle and at its peak while serving.
Output: a markdown table on stdout and in bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def log(msg: str):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def read_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class Server:
    def __init__(self, binary: Path, model: Path, port: int, extra: list[str]):
        self.cmd = [str(binary), "run", "--model", str(model), "--host", HOST, "--http-port", str(port), *extra]
        self.port = port
        self.log_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def wait_ready(self, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: modelhost exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=1)
                conn.request("GET", "/v2/health/ready")
                if conn.getresponse().status == 200:
                    self._sampler.start()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"bench: modelhost not ready after {timeout}s:\n{self.log_text()}")

    def _sample(self):
        while not self._stop.wait(0.1):
            rss = read_rss_kib(self.proc.pid)
            if rss:
                self.peak_rss = max(self.peak_rss, rss)

    def rss(self) -> int | None:
        return read_rss_kib(self.proc.pid)

    def log_text(self) -> str:
        self.log_file.seek(0)
        return self.log_file.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> int:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def perf_analyzer_point(pa: str, env: dict, port: int, concurrency: int, window_ms: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "pa.csv"
        cmd = [pa, "-m", "identity_fp32", "-u", f"{HOST}:{port}", "-i", "http", "--shape", "INPUT0:16",
               "--concurrency-range", str(concurrency), "--measurement-mode", "time_windows",
               "-p", str(window_ms), "--max-trials", "3", "-s", "100", "-f", str(report)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not report.exists():
            raise SystemExit(f"bench: perf_analyzer failed ({proc.returncode}):\n"
                             f"{(proc.stdout + proc.stderr)[-3000:]}")
        row = next(csv.DictReader(report.open()))
    return {"ips": float(row["Inferences/Second"]), "p50_ms": float(row["p50 latency"]) / 1000,
            "p99_ms": float(row["p99 latency"]) / 1000}


def json_point(port: int, concurrency: int, seconds: float) -> dict:
    """Closed loop: each thread keeps one keep-alive connection and one request in flight."""
    body = json.dumps({"inputs": [{"name": "INPUT0", "shape": [1, 16], "datatype": "FP32",
                                   "data": [float(i) for i in range(16)]}]})
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = []
    start_gate = threading.Barrier(concurrency + 1)
    warm_until = [0.0]
    stop_at = [0.0]

    def worker(i):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine = latencies[i]
        try:
            start_gate.wait()
            while True:
                t0 = time.monotonic()
                if t0 >= stop_at[0]:
                    break
                conn.request("POST", "/v2/models/identity_fp32/infer", body)
                resp = conn.getresponse()
                resp.read()
                t1 = time.monotonic()
                if resp.status != 200:
                    errors.append(resp.status)
                elif t0 >= warm_until[0]:
                    mine.append(t1 - t0)
        except OSError as exc:
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    now = time.monotonic()
    warm_until[0] = now + 0.5
    stop_at[0] = warm_until[0] + seconds
    start_gate.wait()
    for t in threads:
        t.join(timeout=seconds + 60)
    if errors:
        raise SystemExit(f"bench: JSON load saw errors: {errors[:5]}")
    lat = sorted(x for per in latencies for x in per)
    if not lat:
        raise SystemExit("bench: JSON load completed no requests")
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return {"ips": len(lat) / seconds, "p50_ms": pick(0.50), "p99_ms": pick(0.99)}


def median_point(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def find_perf_analyzer() -> tuple[str | None, dict]:
    env = dict(os.environ)
    for cand in (os.environ.get("PERF_ANALYZER"), str(REPO_ROOT / ".venv" / "bin" / "perf_analyzer")):
        if cand and os.access(cand, os.X_OK):
            probe = subprocess.run([cand, "--version"], env=env, capture_output=True, text=True)
            if "error while loading shared libraries" not in probe.stdout + probe.stderr:
                return cand, env
    return None, env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get("MODELHOST_BIN", str(REPO_ROOT / "build" / "bin" / "modelhost")))
    ap.add_argument("--models-dir", default=str(REPO_ROOT / "build" / "models"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18555")))
    ap.add_argument("--concurrency", default="1,2,8,64")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--window-ms", type=int, default=1500, help="perf_analyzer measurement window")
    ap.add_argument("--json-seconds", type=float, default=2.0, help="measured seconds per JSON run")
    ap.add_argument("--modes", default="binary,json")
    ap.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "latest.md"))
    ap.add_argument("server_args", nargs="*", help="extra `modelhost run` flags (after --)")
    args = ap.parse_args()

    binary = Path(args.bin)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"bench: {binary} not found; run `make build` first")
    model = Path(args.models_dir) / "identity_fp32.onnx"
    if not model.exists():
        subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "gen_test_models.py"), args.models_dir],
                       check=True, stdout=subprocess.DEVNULL)
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    modes = args.modes.split(",")
    pa, pa_env = find_perf_analyzer()
    if "binary" in modes and pa is None:
        log("perf_analyzer not usable (run scripts/setup); skipping the binary rows")
        modes.remove("binary")

    began = time.monotonic()
    server = Server(binary, model, args.port, args.server_args)
    rows = []
    try:
        server.wait_ready()
        time.sleep(0.3)
        idle_rss = server.rss()
        for mode in modes:
            for c in concurrencies:
                runs = []
                for r in range(args.repeats):
                    if mode == "binary":
                        runs.append(perf_analyzer_point(pa, pa_env, args.port, c, args.window_ms))
                    else:
                        runs.append(json_point(args.port, c, args.json_seconds))
                    log(f"{mode} c={c} run {r + 1}/{args.repeats}: {runs[-1]['ips']:.0f} infer/s, "
                        f"p50 {runs[-1]['p50_ms']:.3f} ms, p99 {runs[-1]['p99_ms']:.3f} ms")
                rows.append((mode, c, median_point(runs), min(x["ips"] for x in runs), max(x["ips"] for x in runs)))
        serving_rss = server.rss()
    finally:
        rc = server.stop()
    elapsed = time.monotonic() - began

    lines = [
        f"# modelhost HTTP benchmark: identity_fp32 (1x16 FP32 per request)",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; host: {os.uname().nodename}, "
        f"{os.cpu_count()} CPUs; server flags: `{' '.join(args.server_args) or '(defaults)'}`",
        f"- binary rows: perf_analyzer over HTTP (binary tensor data); json rows: Python keep-alive "
        f"closed-loop client (client-bound at high concurrency)",
        f"- each row: median of {args.repeats} runs; infer/s range is min..max of those runs",
        "",
        "| mode | concurrency | infer/s (median) | infer/s range | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mode, c, med, lo, hi in rows:
        lines.append(f"| {mode} | {c} | {med['ips']:.0f} | {lo:.0f}..{hi:.0f} | {med['p50_ms']:.3f} | "
                     f"{med['p99_ms']:.3f} |")
    mib = lambda kib: f"{kib / 1024:.1f} MiB" if kib else "n/a"  # noqa: E731
    lines += ["", f"Server RSS (VmRSS): idle {mib(idle_rss)}, peak while serving {mib(server.peak_rss)}, "
                  f"after the last run {mib(serving_rss)}. Exit code after SIGTERM: {rc}. "
                  f"Benchmark wall time: {elapsed:.0f} s.", ""]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    log(f"wrote {out}")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
