"""`modelhost run` refuses broken models at start-up: non-zero exit, quickly, naming the problem."""

from __future__ import annotations

import subprocess
import time

import pytest

pytestmark = pytest.mark.integration

# model file -> words of which at least one must appear in the output (case-insensitive)
BAD_MODELS = {
    "bad_unknown_op": ("FooBar",),
    "bad_opset": ("99",),
    "bad_missing_initializer": ("W_missing", "B_missing"),
    "bad_cycle": ("cycle", "cyclic", "add_a", "add_b", "t1", "t2"),
    "bad_external_data": ("outside.bin", "external"),
    "not_a_model": ("parse", "protobuf", "onnx", "invalid", "not a model"),
}


def run_modelhost(modelhost_bin, *args, timeout=20):
    start = time.monotonic()
    proc = subprocess.run([str(modelhost_bin), "run", "--http-port", "0", *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - start


@pytest.mark.parametrize("model", sorted(BAD_MODELS))
def test_bad_model_is_refused(modelhost_bin, models_dir, model):
    proc, elapsed = run_modelhost(modelhost_bin, "--model", models_dir / f"{model}.onnx")
    output = proc.stdout + proc.stderr
    assert proc.returncode > 0, f"exit code {proc.returncode} (negative = killed by a signal)\n{output}"
    assert elapsed < 10
    assert "listening" not in output
    assert any(word.lower() in output.lower() for word in BAD_MODELS[model]), (
        f"none of {BAD_MODELS[model]} in:\n{output}")


def test_missing_file_names_the_path(modelhost_bin, tmp_path):
    missing = tmp_path / "does_not_exist.onnx"
    proc, elapsed = run_modelhost(modelhost_bin, "--model", missing)
    output = proc.stdout + proc.stderr
    assert proc.returncode > 0, output
    assert elapsed < 10
    assert "does_not_exist.onnx" in output


def test_directory_instead_of_file(modelhost_bin, tmp_path):
    proc, _ = run_modelhost(modelhost_bin, "--model", tmp_path)
    assert proc.returncode > 0, proc.stdout + proc.stderr


def test_missing_model_flag(modelhost_bin):
    proc, _ = run_modelhost(modelhost_bin)
    assert proc.returncode > 0
    assert "--model" in proc.stdout + proc.stderr


@pytest.mark.parametrize("flags", [
    ("--max-batch-size", "-5"),
    ("--max-batch-size", "abc"),
    ("--http-port", "70000"),
    ("--no-such-flag",),
], ids=["negative_batch", "non_numeric_batch", "port_out_of_range", "unknown_flag"])
def test_bad_flags(modelhost_bin, models_dir, flags):
    proc, _ = run_modelhost(modelhost_bin, "--model", models_dir / "identity_fp32.onnx", *flags)
    assert proc.returncode > 0, proc.stdout + proc.stderr
    assert "listening" not in proc.stdout + proc.stderr


def test_batching_flag_on_fixed_shape_model_is_refused_or_ignored(start_server):
    """fixed_shape has no symbolic leading dim: a max batch size either fails at start-up or is
    reported as 0; it must never be advertised as batchable."""
    try:
        server = start_server("fixed_shape", "--max-batch-size", "4")
    except RuntimeError as exc:
        assert "exited with" in str(exc) and "exited with 0 " not in str(exc), str(exc)
        return
    assert int(server.get("/v2/models/fixed_shape/config").json().get("max_batch_size", 0)) == 0
    assert server.get("/v2/models/fixed_shape").json()["inputs"][0]["shape"] == [2, 3]
