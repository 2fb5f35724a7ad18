#!/usr/bin/env python3
"""The platform's own costs, measured on a real `modelhost serve` on this machine:

1. deploy-to-ready: upload the demo model (step one) and deploy one instance (step two), then poll
   until it serves; the time from the first byte of the upload to "running", median of N runs;
2. the gateway: perf_analyzer (binary tensors over HTTP, identity_fp32) against the gateway and
   straight against the instance's own port, alternating, at concurrency 1 and 8; the median
   throughput ratio (gateway / direct) and the p50 latency the gateway adds.

Prints a markdown table and writes it to bench/results/gateway.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_perf_analyzer import (HOST, REPO_ROOT, display_cmd, find_perf_analyzer,  # noqa: E402
                               log, perf_analyzer_point)

TOKEN = "mh_" + "b" * 32


def api(port, method, path, body=None, raw=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    payload = r.read()
    if r.status >= 300:
        raise SystemExit(f"bench: {method} {path} -> {r.status} {payload[:300]!r}")
    return json.loads(payload) if payload else None


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_running(port, name, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = api(port, "GET", f"/api/models/{name}")
        if m["status"] == "running":
            return m
        time.sleep(0.005)
    raise SystemExit(f"bench: {name} not running after {timeout}s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO_ROOT / "build" / "bin" / "modelhost"))
    ap.add_argument("--models", default=str(REPO_ROOT / "build" / "models"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--deploys", type=int, default=5)
    ap.add_argument("--window-ms", type=int, default=1500)
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--serve-args", default="", help="extra flags for modelhost serve")
    args = ap.parse_args()
    pa, env = find_perf_analyzer()
    if pa is None:
        raise SystemExit("bench: perf_analyzer not found (.venv/bin/perf_analyzer or PERF_ANALYZER)")
    models = Path(args.models)
    port = free_port()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        serve_cmd = [args.binary, "serve", "--data-dir", f"{tmp}/data", "--listen", f"{HOST}:{port}",
                     *args.serve_args.split()]
        proc = subprocess.Popen(serve_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ, MODELHOST_ADMIN_TOKEN=TOKEN))
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    api(port, "GET", "/api/me")
                    break
                except (OSError, SystemExit):
                    if time.monotonic() > deadline:
                        raise SystemExit("bench: modelhost serve did not start")
                    time.sleep(0.05)
            api(port, "POST", "/api/tiers", {"name": "cpu", "cpu_request": 1, "memory_request_gib": 1,
                                             "memory_limit_gib": 4, "gpus": 0, "default": True})
            # 1. deploy-to-ready of the demo model.
            demo = (models / "demo.onnx").read_bytes()
            times = []
            for i in range(args.deploys):
                name = f"demo{i}"
                t0 = time.monotonic()
                api(port, "POST", f"/api/models?name={name}&visibility=public", raw=demo)
                api(port, "PUT", f"/api/models/{name}/deployment", {"instances": 1})
                wait_running(port, name)
                times.append(time.monotonic() - t0)
                api(port, "DELETE", f"/api/models/{name}")
                log(f"deploy-to-ready {name}: {times[-1]:.3f} s")
            # 2. the gateway against the instance itself.
            api(port, "POST", "/api/models?name=identity_fp32&visibility=public",
                raw=(models / "identity_fp32.onnx").read_bytes())
            api(port, "PUT", "/api/models/identity_fp32/deployment", {"instances": 1})
            m = wait_running(port, "identity_fp32")
            direct_port = m["instances"][0]["port"]
            rows, commands = [], {}
            for c in [int(x) for x in args.concurrency.split(",")]:
                runs = {"gateway": [], "direct": []}
                for _ in range(args.repeats):
                    for route, p in (("direct", direct_port), ("gateway", port)):
                        point, cmd = perf_analyzer_point(pa, env, p, c, args.window_ms)
                        runs[route].append(point)
                        commands[(route, c)] = cmd
                        log(f"{route} c={c}: {point['ips']:.0f} infer/s p50 {point['p50_ms']:.3f} ms")
                g = {k: statistics.median(r[k] for r in runs["gateway"]) for k in runs["gateway"][0]}
                d = {k: statistics.median(r[k] for r in runs["direct"]) for k in runs["direct"][0]}
                rows.append((c, d, g))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    nproc = os.cpu_count()
    lines = [
        "# modelhost platform benchmark: deploy-to-ready and the gateway's cost",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; host: {os.uname().nodename}, "
        f"{nproc} CPUs; the controller, the instance and perf_analyzer share them",
        f"- deploy-to-ready (demo model, upload + deployment + first ready probe, {args.deploys} runs): "
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s",
        f"- gateway rows: perf_analyzer against `modelhost serve` (gateway); direct rows: against the "
        f"instance's own port; median of {args.repeats} alternating runs",
        "",
        "| concurrency | direct infer/s | gateway infer/s | gateway / direct | direct p50 ms | gateway p50 ms | added p50 µs |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c, d, g in rows:
        lines.append(f"| {c} | {d['ips']:.0f} | {g['ips']:.0f} | {g['ips'] / d['ips']:.2f} | "
                     f"{d['p50_ms']:.3f} | {g['p50_ms']:.3f} | {(g['p50_ms'] - d['p50_ms']) * 1000:.0f} |")
    lines += ["", f"Benchmark wall time: {time.monotonic() - started:.0f} s.", "", "Commands:", "", "```",
              "# controller (admin token from MODELHOST_ADMIN_TOKEN)", display_cmd(serve_cmd, {tmp: "$TMPDIR"})]
    for (route, c), cmd in sorted(commands.items()):
        lines.append(f"# {route}, concurrency {c}")
        lines.append(cmd)
    lines.append("```")
    text = "\n".join(lines) + "\n"
    print(text)
    out = REPO_ROOT / "bench" / "results" / "gateway.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
