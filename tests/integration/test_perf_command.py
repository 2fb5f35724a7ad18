"""`modelhost perf` and `modelhost validate`: op counts per graph pass and engine-only timing."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

pytestmark = pytest.mark.integration


def modelhost(modelhost_bin, *args, timeout=60):
    return subprocess.run([str(modelhost_bin), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def test_perf_prints_op_table_per_pass_and_timing(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", "--model", models_dir / "mlp.onnx", "--iterations", 20,
                     "--batch", 4)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    header = next(line for line in out.splitlines() if line.startswith("op "))
    assert "loaded" in header and "constant_folding" in header and "dead_node_elimination" in header
    gemm = next(line for line in out.splitlines() if line.startswith("Gemm"))
    assert gemm.split()[1:] == ["2", "2", "2"]
    m = re.search(r"batch 4, 1 threads, 20 runs: p50 ([0-9.]+) ms.* ([0-9.]+) rows/s", out)
    assert m, out
    assert float(m.group(2)) > 0


def test_perf_refuses_a_broken_model(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", "--model", models_dir / "bad_unknown_op.onnx")
    assert proc.returncode == 1
    assert "FooBar" in proc.stderr


def test_validate_prints_the_signature(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "validate", models_dir / "add_sub.onnx")
    assert proc.returncode == 0, proc.stderr
    meta = json.loads(proc.stdout)
    assert [i["name"] for i in meta["inputs"]] == ["INPUT0", "INPUT1"]
    assert meta["inputs"][0]["shape"] == [-1, 16]


def test_validate_names_the_problem(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "validate", models_dir / "bad_opset.onnx")
    assert proc.returncode == 1
    assert "99" in proc.stderr
