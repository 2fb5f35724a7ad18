"""A deployment's precision for GPU execution, end to end on a real `modelhost serve` with declared
GPUs: fp32 by default and kept when omitted, refused with a message for an unknown value or for a
tier without GPUs, returned wherever the tier is, a change rolled over like a tier change (under
load, without a failed request), kept by adopted instances after a controller restart, and set by
the CLI. Declared GPUs run their instances on the CPU, so those instances get neither --device
nor --precision (`run` would refuse fp16 on the CPU) and say so in their reason. (That instances
on discovered GPUs get `--device cuda:0 --precision P` is tests/unit/control/orchestrator_test.cc;
this machine has no GPU.)"""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest

from test_model_apis import Platform, worker_pids
from test_serve_auth import error_of

CPU_TIER = {"name": "cpu-small", "cpu_request": 0.5, "memory_request_gib": 1, "gpus": 0,
            "node_pool": "cpu"}


@pytest.fixture
def platform(modelhost_bin, tmp_path):
    p = Platform(modelhost_bin, tmp_path)
    assert p.c.call("POST", "/api/tiers", p.admin, CPU_TIER).status == 201
    yield p
    p.c.stop()


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


def test_precision_defaults_to_fp32_and_bad_values_are_refused_with_the_reason(platform,
                                                                              models_dir):
    p = platform
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    assert p.model(p.ann, "ident")["deployment"]["precision"] == "fp32"  # before any deployment
    cases = [
        (p.deploy(p.ann, "ident", precision="fp8"), 400,
         'precision must be one of fp32, tf32, fp16, bf16, got "fp8"'),
        (p.deploy(p.ann, "ident", precision="FP16"), 400,
         'precision must be one of fp32, tf32, fp16, bf16, got "FP16"'),
        (p.deploy(p.ann, "ident", precision=16), 400, '"precision" must be a string'),
        (p.deploy(p.ann, "ident", tier="cpu-small", precision="fp16"), 400,
         'precision fp16 needs a GPU tier; tier "cpu-small" has no GPUs'),
        (p.deploy(p.ann, "ident", tier="cpu-small", precision="tf32"), 400,
         'precision tf32 needs a GPU tier; tier "cpu-small" has no GPUs'),
        (p.deploy(p.ann, "ident", accuracy="fp16"), 400,
         'unknown member "accuracy"; a deployment has tier, instances and precision'),
    ]
    for r, status, message in cases:
        assert r.status == status, (message, r.body)
        assert error_of(r) == message, r.body
    assert p.model(p.ann, "ident")["status"] == "not deployed"  # nothing was set
    # fp32 on a CPU tier, said or not, is fine.
    r = p.deploy(p.ann, "ident", tier="cpu-small", instances=1)
    assert r.status == 200 and r.json()["deployment"]["precision"] == "fp32", r.body
    r = p.deploy(p.ann, "ident", tier="cpu-small", precision="fp32")
    assert r.status == 200, r.body
    m = p.wait_running(p.ann, "ident", instances=1)
    inst = m["instances"][0]
    assert (inst["tier"], inst["precision"], inst["reason"]) == ("cpu-small", "fp32", "")
    assert "--precision" not in cmdline(inst["pid"]) and "--device" not in cmdline(inst["pid"])


def test_a_gpu_precision_is_stored_returned_and_kept_when_omitted(platform, models_dir, tmp_path):
    p = platform
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    r = p.deploy(p.ann, "ident", tier="a100", instances=1, precision="fp16")
    assert r.status == 200, r.body
    assert r.json()["deployment"] | {"deployed_at": None} == \
        {"tier": "a100", "instances": 1, "precision": "fp16", "running": True, "deployed_at": None}
    m = p.wait_running(p.ann, "ident", instances=1)
    assert m["deployment"]["precision"] == "fp16"
    listed = p.c.call("GET", "/api/models", p.ann).json()["models"]
    assert [x["deployment"]["precision"] for x in listed] == ["fp16"]
    # A declared GPU runs the instance on the CPU: no --device, no --precision (which `run` would
    # refuse there), and the reason says what it computes in.
    inst = m["instances"][0]
    assert inst["simulated_gpu"] and (inst["tier"], inst["precision"]) == ("a100", "fp16")
    assert inst["reason"] == "simulated GPU: runs on the CPU in fp32, not fp16"
    args = cmdline(inst["pid"])
    assert args[1] == "run" and "--precision" not in args and "--device" not in args, args
    assert p.predict("ident", p.ann).status == 200
    # Scaling (the count alone) keeps the precision, as it keeps the tier.
    r = p.deploy(p.ann, "ident", instances=2)
    assert r.status == 200 and r.json()["deployment"]["precision"] == "fp16", r.body
    m = p.wait_running(p.ann, "ident", instances=2)
    assert inst["pid"] in [i["pid"] for i in m["instances"]]  # not rolled over
    # A tier without GPUs cannot keep fp16: the message says where it comes from and the way out.
    r = p.deploy(p.ann, "ident", tier="cpu-small")
    assert r.status == 400
    assert error_of(r) == ('precision fp16 needs a GPU tier; tier "cpu-small" has no GPUs (fp16 '
                           'is the deployment\'s current precision; set precision fp32 to move to '
                           'this tier)')
    r = p.deploy(p.ann, "ident", tier="cpu-small", precision="fp32", instances=1)
    assert r.status == 200, r.body
    m = p.wait_running(p.ann, "ident", instances=1)
    assert [(i["tier"], i["precision"]) for i in m["instances"]] == [("cpu-small", "fp32")]


def test_a_precision_change_rolls_over_without_a_failed_request(platform, models_dir):
    p = platform
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident",
                    "&visibility=public").status == 201
    # One instance of a 2-GPU pool: the successor fits next to it.
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    before = p.wait_running(p.ann, "ident", instances=1)["instances"][0]
    statuses, stop = [], threading.Event()

    def caller():
        while not stop.is_set():
            statuses.append(p.predict("ident").status)

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        r = p.deploy(p.ann, "ident", precision="bf16")
        assert r.status == 200, r.body
        # Until the bf16 instance is ready the Model API is updating, not running on the old one.
        assert r.json()["status"] == "updating" and r.json()["instances_ready"] == 0, r.body
        m = p.wait_for(p.ann, "ident", lambda m: m["status"] == "running" and
                       [(i["precision"], i["state"]) for i in m["instances"]] == [("bf16", "ready")])
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(statuses) > 20 and set(statuses) == {200}, \
        {s: statuses.count(s) for s in set(statuses)}
    after = m["instances"][0]
    assert after["id"] != before["id"] and after["pid"] != before["pid"]
    # Two instances on the two GPUs (the pool is full): rolled over one at a time, still no
    # failed request, back to fp32.
    assert p.deploy(p.ann, "ident", instances=2).status == 200
    p.wait_running(p.ann, "ident", instances=2)
    statuses.clear()
    stop.clear()
    threads = [threading.Thread(target=caller) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        assert p.deploy(p.ann, "ident", precision="fp32").status == 200
        m = p.wait_for(p.ann, "ident", lambda m: m["status"] == "running" and
                       [(i["precision"], i["state"]) for i in m["instances"]] ==
                       [("fp32", "ready")] * 2, timeout=60)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}


def test_adopted_instances_keep_their_precision_after_a_controller_kill(platform, models_dir,
                                                                         tmp_path):
    p = platform
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    assert p.deploy(p.ann, "ident", instances=2, precision="tf32").status == 200
    p.wait_running(p.ann, "ident", instances=2)
    before = worker_pids(tmp_path / "data")
    p.c.proc.kill()
    p.c.proc.wait()
    p.c.start()
    m = p.wait_running(p.ann, "ident", instances=2)
    # Recorded with their precision: adopted, not rolled over as if they were fp32.
    assert sorted(i["pid"] for i in m["instances"]) == before
    assert [i["precision"] for i in m["instances"]] == ["tf32", "tf32"]
    time.sleep(0.5)
    assert worker_pids(tmp_path / "data") == before


def test_the_cli_sets_and_shows_the_precision(platform, models_dir, modelhost_bin, tmp_path):
    p = platform
    env = dict(os.environ, MODELHOST_URL=f"http://127.0.0.1:{p.c.port}", MODELHOST_TOKEN=p.ann,
               XDG_CONFIG_HOME=str(tmp_path / "cfg"))

    def cli(*args):
        return subprocess.run([str(modelhost_bin), *args], env=env, capture_output=True,
                              text=True, timeout=60)

    model = str(models_dir / "identity_fp32.onnx")
    r = cli("deploy", "ident", "--file", model, "--precision", "fp16")
    assert r.returncode == 0, r.stderr
    assert "tier: a100\nprecision: fp16\ninstances: 1" in r.stdout
    ls = cli("ls").stdout.splitlines()
    assert ls[0].split()[:7] == ["NAME", "OWNER", "STATUS", "VERSION", "TIER", "PRECISION",
                                 "READY"]
    assert ls[1].split()[:7] == ["ident", "ann", "running", "1", "a100", "fp16", "1/1"]
    status = cli("status", "ident").stdout
    assert "tier: a100\nprecision: fp16\n" in status
    assert "simulated GPU: runs on the CPU in fp32, not fp16" in status
    # scale keeps it.
    r = cli("scale", "ident", "2")
    assert r.returncode == 0 and "precision: fp16" in r.stdout, r.stdout + r.stderr
    # A value no deployment takes is a command-line mistake, before anything is uploaded.
    r = cli("deploy", "ident", "--file", model, "--precision", "int8")
    assert r.returncode == 2
    assert '--precision must be one of fp32, tf32, fp16, bf16, got "int8"' in r.stderr
    assert p.model(p.ann, "ident")["latest_version"] == 1
    # The API's refusal: exit 1 with its message.
    r = cli("deploy", "ident", "--tier", "cpu-small", "--precision", "bf16")
    assert r.returncode == 1
    assert 'precision bf16 needs a GPU tier; tier "cpu-small" has no GPUs' in r.stderr
    r = cli("deploy", "ident", "--tier", "cpu-small", "--precision", "fp32", "--instances", "1")
    assert r.returncode == 0, r.stderr
    assert "tier: cpu-small\nprecision: fp32\n" in r.stdout
    deadline = time.monotonic() + 20
    while len(worker_pids(tmp_path / "data")) != 1:  # the fp16 ones drain
        assert time.monotonic() < deadline, worker_pids(tmp_path / "data")
        time.sleep(0.1)
