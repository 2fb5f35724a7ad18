#!/usr/bin/env python3
"""HTTP throughput and latency of `modelhost run` serving identity_fp32 (16 floats per request).

Binary tensor data: NVIDIA perf_analyzer (it always sends inputs as binary over HTTP).
JSON data: perf_analyzer has no JSON-body mode, so wrk (with bench/wrk_post.lua) POSTs
`{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":[...]}]}` over N keep-alive
connections (`wrk -t min(N,2) -c N -d <duration>s --latency`). Any non-200 response fails the run.

Each (mode, concurrency) point runs --repeats times; the table shows the median infer/s, p50 and
p99 of those runs, plus the server's resident memory (VmRSS) idle and at its peak while serving.
Output: a markdown table (with the tool and exact command line behind each row) on stdout and in
bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import shlex
import shutil
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


def display_cmd(cmd: list[str], replace: dict[str, str] | None = None) -> str:
    """Shell-quoted command line; absolute paths inside the repository are shown relative to its root."""
    out = []
    for part in cmd:
        for old, new in (replace or {}).items():
            part = part.replace(old, new)
        if os.path.isabs(part):
            rel = os.path.relpath(os.path.abspath(part), REPO_ROOT)
            if not rel.startswith(".."):
                part = rel
        out.append(part)
    return shlex.join(out)


def perf_analyzer_point(pa: str, env: dict, port: int, concurrency: int, window_ms: int) -> tuple[dict, str]:
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
        shown = display_cmd(cmd, {tmp: "$TMPDIR"})
    return ({"ips": float(row["Inferences/Second"]), "p50_ms": float(row["p50 latency"]) / 1000,
             "p99_ms": float(row["p99 latency"]) / 1000}, shown)


WRK_SCRIPT = REPO_ROOT / "bench" / "wrk_post.lua"


def wrk_threads(concurrency: int) -> int:
    # wrk gives each thread connections/threads connections (integer division), so an odd N > 1
    # with 2 threads would silently run N-1 connections; use one thread there.
    return 2 if concurrency >= 2 and concurrency % 2 == 0 else 1


def wrk_point(wrk: str, port: int, concurrency: int, seconds: int) -> tuple[dict, str]:
    """Closed loop: N keep-alive connections, each with one JSON request in flight."""
    cmd = [wrk, "-t", str(wrk_threads(concurrency)), "-c", str(concurrency), "-d", f"{seconds}s", "--latency",
           "-s", str(WRK_SCRIPT), f"http://{HOST}:{port}/v2/models/identity_fp32/infer"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit(f"bench: wrk failed ({proc.returncode}):\n{out[-3000:]}")
    vals = {}
    for line in proc.stdout.splitlines():
        if line.startswith("wrk_post: ") and "=" in line:
            key, _, val = line[len("wrk_post: "):].partition("=")
            vals[key.strip()] = float(val)
    needed = ("requests", "requests_per_sec", "p50_us", "p99_us", "non200", "socket_errors")
    if any(k not in vals for k in needed):
        raise SystemExit(f"bench: could not parse wrk output (is {WRK_SCRIPT} used?):\n{out[-3000:]}")
    if vals["non200"] or vals["socket_errors"]:
        raise SystemExit(f"bench: wrk saw {vals['non200']:.0f} non-200 responses and "
                         f"{vals['socket_errors']:.0f} socket errors at concurrency {concurrency}:\n{out[-3000:]}")
    if not vals["requests"]:
        raise SystemExit(f"bench: wrk completed no requests:\n{out[-3000:]}")
    return ({"ips": vals["requests_per_sec"], "p50_ms": vals["p50_us"] / 1000,
             "p99_ms": vals["p99_us"] / 1000}, display_cmd(cmd))


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


def find_wrk() -> str | None:
    cand = os.environ.get("WRK") or shutil.which("wrk")
    return cand if cand and os.access(cand, os.X_OK) else None


def positive_int_seconds(text: str) -> int:
    value = float(text)
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError("wrk takes a whole number of seconds (>= 1)")
    return int(value)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get("MODELHOST_BIN", str(REPO_ROOT / "build" / "bin" / "modelhost")))
    ap.add_argument("--models-dir", default=str(REPO_ROOT / "build" / "models"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "18555")))
    ap.add_argument("--concurrency", default="1,2,8,64")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--window-ms", type=int, default=1500, help="perf_analyzer measurement window")
    ap.add_argument("--duration", "--json-seconds", dest="duration", type=positive_int_seconds, default=2,
                    help="seconds per wrk (JSON) run, whole seconds; binary runs use --window-ms")
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
    wrk = find_wrk()
    if "json" in modes and wrk is None:
        log("wrk not found (run scripts/setup, or set WRK=/path/to/wrk); skipping the json rows")
        modes.remove("json")
    unknown = [m for m in modes if m not in ("binary", "json")]
    if unknown:
        raise SystemExit(f"bench: unknown mode(s) {unknown}; use binary and/or json")

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
                cmds = []
                for r in range(args.repeats):
                    if mode == "binary":
                        point, cmd = perf_analyzer_point(pa, pa_env, args.port, c, args.window_ms)
                    else:
                        point, cmd = wrk_point(wrk, args.port, c, args.duration)
                    runs.append(point)
                    if cmd not in cmds:
                        cmds.append(cmd)
                    log(f"{mode} c={c} run {r + 1}/{args.repeats}: {runs[-1]['ips']:.0f} infer/s, "
                        f"p50 {runs[-1]['p50_ms']:.3f} ms, p99 {runs[-1]['p99_ms']:.3f} ms")
                rows.append((mode, c, median_point(runs), min(x["ips"] for x in runs),
                             max(x["ips"] for x in runs), cmds))
        serving_rss = server.rss()
    finally:
        rc = server.stop()
    elapsed = time.monotonic() - began

    lines = [
        f"# modelhost HTTP benchmark: identity_fp32 (1x16 FP32 per request)",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; host: {os.uname().nodename}, "
        f"{os.cpu_count()} CPUs; server flags: `{' '.join(args.server_args) or '(defaults)'}`",
        f"- binary rows: perf_analyzer over HTTP (binary tensor data); json rows: wrk with "
        f"bench/wrk_post.lua (JSON body, {args.duration} s per run, every response checked for HTTP 200)",
        f"- each row: median of {args.repeats} runs; infer/s range is min..max of those runs",
        "",
        "| mode | tool | concurrency | infer/s (median) | infer/s range | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    tool = {"binary": "perf_analyzer", "json": "wrk"}
    for mode, c, med, lo, hi, _ in rows:
        lines.append(f"| {mode} | {tool[mode]} | {c} | {med['ips']:.0f} | {lo:.0f}..{hi:.0f} | "
                     f"{med['p50_ms']:.3f} | {med['p99_ms']:.3f} |")
    mib = lambda kib: f"{kib / 1024:.1f} MiB" if kib else "n/a"  # noqa: E731
    lines += ["", f"Server RSS (VmRSS): idle {mib(idle_rss)}, peak while serving {mib(server.peak_rss)}, "
                  f"after the last run {mib(serving_rss)}. Exit code after SIGTERM: {rc}. "
                  f"Benchmark wall time: {elapsed:.0f} s.", "",
              "Commands (`$TMPDIR` is a per-run temporary directory):", "", "```",
              f"# server\n{display_cmd(server.cmd)}"]
    for mode, c, _, _, _, cmds in rows:
        lines.append(f"# {mode}, concurrency {c} ({tool[mode]})")
        lines.extend(cmds)
    lines += ["```", ""]
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    log(f"wrote {out}")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
