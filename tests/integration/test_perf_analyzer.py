"""NVIDIA perf_analyzer can profile modelhost over HTTP (it reads metadata, config and statistics
without checks, so a missing field makes it fail)."""

from __future__ import annotations

import csv
import re
import subprocess

import pytest

from modelhost_testlib import find_perf_analyzer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

THROUGHPUT_RE = re.compile(r"Throughput:\s*([0-9.]+)\s*infer/sec")


@pytest.fixture(scope="module")
def perf_analyzer():
    path, env, reason = find_perf_analyzer()
    if path is None:
        pytest.skip(reason)
    return path, env


def run_pa(perf_analyzer, server, *extra, timeout=120):
    path, env = perf_analyzer
    cmd = [path, "-m", "identity_fp32", "-u", server.url, "-i", "http", "--shape", "INPUT0:16",
           "--measurement-mode", "time_windows", "-p", "1000", "--max-trials", "5", "-s", "50", *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    return proc, proc.stdout + proc.stderr


def test_concurrency_sweep(perf_analyzer, server_pool, tmp_path):
    server = server_pool.get("identity_fp32")
    report = tmp_path / "pa.csv"
    proc, out = run_pa(perf_analyzer, server, "--concurrency-range", "1:2", "-f", str(report))
    assert proc.returncode == 0, out[-4000:]
    throughputs = [float(x) for x in THROUGHPUT_RE.findall(out)]
    assert len(throughputs) >= 2, out[-4000:]
    assert all(t > 0 for t in throughputs), throughputs
    rows = list(csv.DictReader(report.open()))
    # perf_analyzer orders CSV rows by throughput, not by concurrency.
    assert sorted(int(r["Concurrency"]) for r in rows) == [1, 2]
    assert all(float(r["Inferences/Second"]) > 0 for r in rows)
    assert all(float(r["p99 latency"]) > 0 for r in rows)


def test_batched_requests(perf_analyzer, server_pool):
    server = server_pool.get("identity_fp32")
    proc, out = run_pa(perf_analyzer, server, "-b", "4", "--concurrency-range", "2")
    assert proc.returncode == 0, out[-4000:]
    assert THROUGHPUT_RE.search(out), out[-4000:]


def test_json_input_data(perf_analyzer, server_pool, tmp_path):
    server = server_pool.get("identity_fp32")
    data = tmp_path / "data.json"
    data.write_text('{"data": [{"INPUT0": [' + ",".join(str(i * 0.5) for i in range(16)) + "]}]}")
    proc, out = run_pa(perf_analyzer, server, "--input-data", str(data), "--concurrency-range", "1")
    assert proc.returncode == 0, out[-4000:]
    assert THROUGHPUT_RE.search(out), out[-4000:]
