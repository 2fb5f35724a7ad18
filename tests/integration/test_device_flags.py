"""`modelhost run|perf --device/--precision`: bad values are command-line errors (exit 2) naming
the flag; a GPU this machine cannot use is exit 3 with the reason, at once, which the orchestrator
turns into a failed instance instead of a restart loop. `perf --compare-cpu` reports each output's
distance from the CPU engine's. (On a machine with a GPU, scripts/gpu-check runs the models on it.)"""

from __future__ import annotations

import json
import subprocess
import time

import pytest


def run(modelhost_bin, models_dir, *flags, command="run"):
    t0 = time.monotonic()
    extra = ["--http-port", "0"] if command == "run" else ["--iterations", "2", "--warmup", "0"]
    p = subprocess.run([str(modelhost_bin), command, "--model", str(models_dir / "identity_fp32.onnx"),
                        *extra, *flags], capture_output=True, text=True, timeout=30)
    return p, time.monotonic() - t0


@pytest.mark.parametrize("command", ["run", "perf"])
@pytest.mark.parametrize("flags,message", [
    (("--device", "gpu"), '--device must be cpu or cuda:N, got "gpu"'),
    (("--precision", "fp16"), "--precision fp16 needs a CUDA device; the CPU computes in fp32"),
])
def test_bad_device_flags_are_usage_errors(modelhost_bin, models_dir, command, flags, message):
    p, _ = run(modelhost_bin, models_dir, *flags, command=command)
    assert p.returncode == 2 and message in p.stderr, p.stderr


def has_gpu():
    if subprocess.run(["which", "nvidia-smi"], capture_output=True).returncode != 0:
        return False
    probe = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    return probe.returncode == 0 and "GPU 0" in probe.stdout


@pytest.mark.parametrize("command", ["run", "perf"])
def test_an_unusable_gpu_is_exit_3_with_the_reason(modelhost_bin, models_dir, command):
    if has_gpu():
        pytest.skip("this machine has a GPU")
    p, elapsed = run(modelhost_bin, models_dir, "--device", "cuda:0", command=command)
    assert p.returncode == 3, p.stderr
    assert "--device cuda:0: " in p.stderr
    assert ("no usable CUDA device" in p.stderr or "built without CUDA" in p.stderr), p.stderr
    assert elapsed < 10


def test_perf_compare_cpu_on_the_cpu_is_exact_and_reports_no_placement(modelhost_bin, models_dir):
    p, _ = run(modelhost_bin, models_dir, "--compare-cpu", "--json", command="perf")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["device"] == "cpu" and out["precision"] == "fp32"
    assert out["placement"]["device"] == "" and out["placement"]["copies"] == []
    [diff] = out["compare_cpu"]
    assert diff["comparable"] and diff["max_abs_diff"] == 0.0 and diff["max_rel_diff"] == 0.0
