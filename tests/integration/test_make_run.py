"""`make run` (scripts/run-demo) and the README's tour of the platform, as a newcomer would do
them: the demo model answers the printed curl line; on the declared pools of examples/nodes.json
a tier, a user, a quota, a two-step deploy, a scale to two GPUs, a call with an access token, a new
version and a rollback all work from the CLI; Ctrl-C stops everything."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import time

from modelhost_testlib import REPO_ROOT, http_request
from test_model_apis import DOMINO, ROW, worker_pids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(binary, models_dir, data, nodes=None):
    port = free_port()
    args = [str(REPO_ROOT / "scripts" / "run-demo"), str(binary), str(models_dir), str(port),
            str(data)] + ([str(nodes)] if nodes else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops it" in line:
            return proc, port, "".join(lines)
    proc.kill()
    raise AssertionError("run-demo did not come up:\n" + "".join(lines))


def stop_demo(proc):
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 0


def test_make_run_serves_the_demo_model_and_prints_how_to_call_it(modelhost_bin, models_dir,
                                                                   tmp_path):
    proc, port, out = start_demo(modelhost_bin, models_dir, tmp_path / "data")
    try:
        token = re.search(r"admin token:\s+(mh_[0-9a-f]{32})", out).group(1)
        dashboard = re.search(r"dashboard:\s+(http://127\.0\.0\.1:\d+/)\s", out).group(1)
        assert dashboard == f"http://127.0.0.1:{port}/"
        page = http_request(port, "GET", "/")
        assert page.status == 200 and b"<title>modelhost</title>" in page.body
        curl = re.search(r"^\s+(curl -s http://\S+/models/demo/latest/model .*)$", out, re.M)
        assert curl, out
        called = subprocess.run(curl.group(1), shell=True, capture_output=True, text=True,
                                timeout=30)
        assert len(json.loads(called.stdout)["result"]["probabilities"][0]) == 3
        assert http_request(port, "GET", "/api/models/demo",
                            headers={"Authorization": f"Bearer {token}"}).json()["status"] == \
            "running"
    finally:
        stop_demo(proc)
    assert worker_pids(tmp_path / "data") == []
    # A second `make run` on the same data: the same token, the demo deployed again.
    proc, port, out = start_demo(modelhost_bin, models_dir, tmp_path / "data")
    try:
        assert token in out
        r = http_request(port, "POST", "/models/demo/latest/model",
                         body={"data": {"features": [[5.1, 3.5, 1.4, 0.2]]}})
        assert r.status == 200
    finally:
        stop_demo(proc)


def test_the_readme_tour_on_declared_gpus(modelhost_bin, models_dir, tmp_path):
    nodes = REPO_ROOT / "examples" / "nodes.json"
    proc, port, out = start_demo(modelhost_bin, models_dir, tmp_path / "data", nodes)
    admin = re.search(r"admin token:\s+(mh_[0-9a-f]{32})", out).group(1)
    env = dict(os.environ, MODELHOST_URL=f"http://127.0.0.1:{port}", MODELHOST_TOKEN=admin,
               XDG_CONFIG_HOME=str(tmp_path / "cfg"))

    def cli(*args, token=None):
        e = dict(env, MODELHOST_TOKEN=token or admin)
        p = subprocess.run([str(modelhost_bin), *args], env=e, capture_output=True, text=True,
                           timeout=60)
        assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p.stdout

    try:
        cli("tier", "create", "a100x1", "--cpu", "2", "--memory-gib", "8", "--gpus", "1",
            "--gpu-type", "A100", "--pool", "gpu-a")
        cli("user", "create", "ann")
        ann = re.search(r"token: (mh_[0-9a-f]{32})",
                        cli("token", "create", "laptop", "--user", "ann")).group(1)
        cli("quota", "set", "ann", "--gpus", "2", "--instances", "4")
        model = str(models_dir / "identity_fp32.onnx")
        cli("deploy", "churn", "--file", model, "--tier", "a100x1", "--instances", "1", token=ann)
        cli("scale", "churn", "2", token=ann)
        deadline = time.monotonic() + 30
        while "instances: 2 ready of 2" not in (status := cli("status", "churn", token=ann)):
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        assert status.count("simulated GPU") == 2
        secret = re.search(r"token: (mha_[0-9a-f]{32})",
                           cli("access", "churn", "create", "my-app", token=ann)).group(1)
        basic = base64.b64encode(f"{secret}:{secret}".encode()).decode()
        r = http_request(port, "POST", "/models/churn/latest/model", body=DOMINO,
                         headers={"Authorization": f"Basic {basic}"})
        assert r.status == 200 and r.json()["result"]["OUTPUT0"] == [ROW]
        cli("deploy", "churn", "--file", model, token=ann)
        assert "active_version: 1" in cli("rollback", "churn", token=ann)
        # Over the quota: a third GPU.
        p = subprocess.run([str(modelhost_bin), "scale", "churn", "3"],
                           env=dict(env, MODELHOST_TOKEN=ann), capture_output=True, text=True)
        assert p.returncode == 1
        assert 'quota exceeded for user "ann": GPUs 0 in use + 3 requested > limit 2' in p.stderr
    finally:
        stop_demo(proc)
    assert worker_pids(tmp_path / "data") == []
