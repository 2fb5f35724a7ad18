"""`modelhost run --device/--precision`: bad values are command-line errors (exit 2) naming the
flag; a GPU this machine cannot use is exit 3 with the reason, at once, which the orchestrator
turns into a failed instance instead of a restart loop. (On a machine with a usable GPU the
check passes; the model still runs on the CPU until the CUDA execution provider lands.)"""

from __future__ import annotations

import subprocess
import time

import pytest


def run(modelhost_bin, models_dir, *flags):
    t0 = time.monotonic()
    p = subprocess.run([str(modelhost_bin), "run", "--model", str(models_dir / "identity_fp32.onnx"),
                        "--http-port", "0", *flags], capture_output=True, text=True, timeout=30)
    return p, time.monotonic() - t0


@pytest.mark.parametrize("flags,message", [
    (("--device", "gpu"), '--device must be cpu or cuda:N, got "gpu"'),
    (("--precision", "fp16"), "--precision fp16 needs a CUDA device; the CPU computes in fp32"),
])
def test_bad_device_flags_are_usage_errors(modelhost_bin, models_dir, flags, message):
    p, _ = run(modelhost_bin, models_dir, *flags)
    assert p.returncode == 2 and message in p.stderr, p.stderr


def test_an_unusable_gpu_is_exit_3_with_the_reason(modelhost_bin, models_dir):
    probe = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True) \
        if subprocess.run(["which", "nvidia-smi"], capture_output=True).returncode == 0 else None
    if probe is not None and probe.returncode == 0 and "GPU 0" in probe.stdout:
        pytest.skip("this machine has a GPU")
    p, elapsed = run(modelhost_bin, models_dir, "--device", "cuda:0")
    assert p.returncode == 3, p.stderr
    assert "--device cuda:0: " in p.stderr
    assert ("no usable CUDA device" in p.stderr or "built without CUDA" in p.stderr), p.stderr
    assert elapsed < 10
