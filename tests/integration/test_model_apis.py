"""Model APIs end to end on a real `modelhost serve` with declared GPUs: the two steps (upload,
deploy), quotas, the scheduler's pending reasons, the gateway's routes and access tokens, rolling
updates without failed requests, crash restarts, and a controller killed with SIGKILL."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import threading
import time

import pytest

from modelhost_testlib import http_request, raw_exchange
from test_serve_auth import error_of, start_with_nodes

NODES = {"pools": [
    {"name": "gpu-a", "nodes": [
        {"name": "node-1", "cpus": 16, "memory_gib": 64,
         "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]},
    {"name": "cpu", "nodes": [{"name": "node-c", "cpus": 8, "memory_gib": 32, "gpus": []}]}]}
ROW = [float(i) for i in range(16)]
DOMINO = {"data": {"INPUT0": [ROW]}}


class Platform:
    """A controller with an admin, the user ann and an A100 tier."""

    def __init__(self, binary, tmp_path, extra_args=()):
        self.c = start_with_nodes(binary, tmp_path, NODES, extra_args=extra_args)
        self.admin = self.c.admin_token
        assert self.c.call("POST", "/api/users", self.admin, {"name": "ann"}).status == 201
        self.ann = self.c.call("POST", "/api/users/ann/tokens", self.admin,
                               {"name": "t"}).json()["token"]
        tier = {"name": "a100", "cpu_request": 1, "memory_request_gib": 2, "memory_limit_gib": 4,
                "gpus": 1, "gpu_type": "A100", "node_pool": "gpu-a", "default": True}
        assert self.c.call("POST", "/api/tiers", self.admin, tier).status == 201

    def upload(self, token, model_file, name=None, query=""):
        path = f"/api/models?name={name}{query}" if name else query
        return self.c.call("POST", path, token, body=model_file.read_bytes())

    def new_version(self, token, name, model_file, query=""):
        return self.c.call("POST", f"/api/models/{name}/versions{query}", token,
                           body=model_file.read_bytes())

    def deploy(self, token, name, **deployment):
        return self.c.call("PUT", f"/api/models/{name}/deployment", token, deployment)

    def model(self, token, name):
        return self.c.call("GET", f"/api/models/{name}", token).json()

    def wait_for(self, token, name, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            m = self.model(token, name)
            if predicate(m):
                return m
            assert time.monotonic() < deadline, m
            time.sleep(0.1)

    def wait_running(self, token, name, instances=None, version=None, timeout=30.0):
        def done(m):
            ready = [i for i in m["instances"] if i["state"] == "ready"]
            return (m["status"] == "running" and len(ready) == len(m["instances"]) and
                    (instances is None or len(ready) == instances) and
                    (version is None or all(i["version"] == version for i in ready)))
        return self.wait_for(token, name, done, timeout)

    def predict(self, name, token=None, headers=None, path=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        return http_request(self.c.port, "POST", path or f"/models/{name}/latest/model",
                            body=DOMINO, headers=h)


@pytest.fixture
def platform(modelhost_bin, tmp_path):
    made = []

    def make(*extra_args):
        p = Platform(modelhost_bin, tmp_path, extra_args)
        made.append(p)
        return p

    yield make
    for p in made:
        p.c.stop()


def worker_pids(data_dir):
    """PIDs of `modelhost run` processes serving a model file of this data directory."""
    blob_dir = str(data_dir / "blobs" / "sha256")
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if len(args) > 1 and args[1] == b"run" and any(a.decode(errors="replace").startswith(blob_dir) for a in args):
            with open(f"/proc/{entry}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    continue
            pids.append(int(entry))
    return sorted(pids)


# ---- step one: the model file --------------------------------------------------------------


def test_step_one_stores_the_file_by_sha256_and_lists_version_1(platform, models_dir, tmp_path):
    p = platform()
    model = models_dir / "identity_fp32.onnx"
    r = p.upload(p.ann, model, "ident", "&description=first%20try")
    assert r.status == 201, r.body
    m = r.json()
    assert (m["name"], m["owner"], m["description"], m["status"]) == \
        ("ident", "ann", "first try", "not deployed")
    v = m["versions"][0]
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    assert (v["version"], v["sha256"], v["size"], v["active"]) == \
        (1, digest, model.stat().st_size, True)
    assert v["signature"]["inputs"][0]["name"] == "INPUT0"
    stored = tmp_path / "data" / "blobs" / "sha256" / digest
    assert stored.read_bytes() == model.read_bytes()
    assert list((tmp_path / "data" / "staging").iterdir()) == []
    # A user sees their own Model APIs; others' do not exist for them.
    assert [x["name"] for x in p.c.call("GET", "/api/models", p.ann).json()["models"]] == ["ident"]
    p.c.call("POST", "/api/users", p.admin, {"name": "bob"})
    bob = p.c.call("POST", "/api/users/bob/tokens", p.admin, {"name": "t"}).json()["token"]
    assert p.c.call("GET", "/api/models", bob).json()["models"] == []
    r = p.c.call("GET", "/api/models/ident", bob)
    assert r.status == 404 and "no Model API \"ident\"" in error_of(r)


@pytest.mark.parametrize("model,message", [
    ("not_a_model.onnx", "not a valid ONNX model"),
    ("bad_unknown_op.onnx", "op FooBar, domain \"\", opset 13): no kernel for this op"),
    ("bad_cycle.onnx", "cycle"),
])
def test_a_broken_model_file_is_refused_with_the_engines_message(platform, models_dir, tmp_path,
                                                                  model, message):
    p = platform()
    r = p.upload(p.ann, models_dir / model, "broken")
    assert r.status == 400
    err = error_of(r)
    assert err.startswith("the model file was refused: ") and message in err, err
    assert p.c.call("GET", "/api/models/broken", p.ann).status == 404
    assert list((tmp_path / "data" / "staging").iterdir()) == []
    assert list((tmp_path / "data" / "blobs" / "sha256").iterdir()) == []


def test_bad_uploads_get_a_status_and_a_message_naming_the_problem(platform, models_dir):
    p = platform("--max-upload-mib", "1")
    model = models_dir / "identity_fp32.onnx"
    cases = [
        (p.upload(p.ann, model, None, "/api/models"), 400, "\"name\" is required"),
        (p.upload(p.ann, model, "../etc"), 400, "is not valid"),
        (p.upload(p.ann, model, "x" * 65), 400, "is not valid"),
        (p.upload(p.ann, model, "m", "&environment=nope"), 400, "no environment \"nope\""),
        (p.upload(p.ann, model, "m", "&visibility=secret"), 400, "visibility must be"),
        (p.upload(p.ann, model, "m", "&description=%FF%FE"), 400,
         'query parameter "description" is not valid UTF-8'),
        (p.c.call("POST", "/api/models?name=empty", p.ann, body=b""), 400, "body is empty"),
        # (Sent raw: the controller answers before the body is in, and stops reading it.)
        (raw_exchange(p.c.port, b"POST /api/models?name=big HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + p.ann.encode() + b"\r\n"
                      b"Content-Length: 2097152\r\n\r\n" + b"x" * (2 << 20)), 413,
         "exceeds the limit of 1048576 bytes"),
        (p.c.call("POST", "/api/models?name=gz", p.ann, body=model.read_bytes(),
                  headers={"Content-Encoding": "gzip"}), 415, "without Content-Encoding"),
        (p.upload(None, model, "anon"), 401, "missing token"),
        (p.new_version(p.ann, "nothing", model), 404, "no Model API \"nothing\""),
    ]
    for r, status, message in cases:
        assert r.status == status, (status, message, r.body)
        assert message in r.json()["error"], (message, r.body)
    assert p.upload(p.ann, model, "m").status == 201
    r = p.upload(p.ann, model, "m")
    assert r.status == 409 and "exists already" in error_of(r)


# ---- step two: the deployment ----------------------------------------------------------------


def test_deploy_two_instances_each_on_its_own_gpu_and_call_both_routes(platform, models_dir):
    p = platform()
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    r = p.deploy(p.ann, "ident", instances=2)  # the default tier
    assert r.status == 200, r.body
    assert r.json()["deployment"]["tier"] == "a100"
    m = p.wait_running(p.ann, "ident", instances=2)
    gpus = sorted((i["node"], tuple(i["gpus"])) for i in m["instances"])
    assert gpus == [("node-1", (0,)), ("node-1", (1,))]
    assert all(i["simulated_gpu"] and i["reason"] == "simulated GPU" for i in m["instances"])
    nodes = p.c.call("GET", "/api/nodes", p.admin).json()["nodes"]
    held = [g["held_by"]["model"] for g in nodes[0]["gpus"] if g["held_by"]]
    assert held == ["ident", "ident"]

    r = p.predict("ident", p.ann)
    assert r.status == 200, r.body
    assert r.json()["result"]["OUTPUT0"] == [ROW]
    assert r.header("x-request-id")
    # The caller's request id reaches the instance and comes back in the body and the header.
    r = p.predict("ident", p.ann, headers={"X-Request-Id": "trace-42"})
    assert r.header("x-request-id") == "trace-42" and r.json()["request_id"] == "trace-42"
    r = http_request(p.c.port, "POST", "/v2/models/ident/infer", headers={
        "Authorization": f"Bearer {p.ann}"}, body={"inputs": [
            {"name": "INPUT0", "datatype": "FP32", "shape": [1, 16], "data": ROW}]})
    assert r.status == 200 and r.json()["outputs"][0]["data"] == ROW
    r = http_request(p.c.port, "POST", "/v2/models/ident/versions/1/infer", headers={
        "Authorization": f"Bearer {p.ann}"}, body={"inputs": [
            {"name": "INPUT0", "datatype": "FP32", "shape": [1, 16], "data": ROW}]})
    assert r.status == 200
    r = http_request(p.c.port, "POST", "/v2/models/ident/versions/7/infer", headers={
        "Authorization": f"Bearer {p.ann}"}, body={})
    assert r.status == 404 and "version 7 is not deployed" in r.json()["error"]
    assert http_request(p.c.port, "GET", "/v2/health/ready").status == 200
    # Requests were spread over both instances' processes and are counted.
    metrics = p.c.call("GET", "/api/models/ident/metrics?window=60", p.ann).json()
    assert metrics["requests"] >= 3 and metrics["p50_ms"] > 0
    # Logs of an instance through the API.
    inst = m["instances"][0]["id"]
    logs = p.c.call("GET", f"/api/models/ident/instances/{inst}/logs?tail=50", p.ann)
    assert logs.status == 200 and "starting version 1 on node-1" in logs.body.decode()
    assert p.c.call("GET", "/api/models/ident/instances/inst-nope/logs", p.ann).status == 404


def test_deployment_errors_name_the_limit(platform, models_dir):
    p = platform()
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    p.c.call("PUT", "/api/users/ann/quota", p.admin, {"max_gpus": 1})
    small = {"name": "small", "cpu_request": 1, "memory_request_gib": 1, "gpus": 0,
             "node_pool": "cpu", "max_instances": 2}
    assert p.c.call("POST", "/api/tiers", p.admin, small).status == 201
    cases = [
        (p.deploy(p.ann, "ident", instances=2), 403,
         'quota exceeded for user "ann": GPUs 0 in use + 2 requested > limit 1'),
        (p.deploy(p.ann, "ident", tier="small", instances=3), 403,
         'tier "small" allows at most 2 instances'),
        (p.deploy(p.ann, "ident", instances=0), 400, "instances must be 1 to 32, got 0"),
        (p.deploy(p.ann, "ident", instances=33), 400, "instances must be 1 to 32, got 33"),
        (p.deploy(p.ann, "ident", tier="gold"), 400, 'no tier "gold"'),
        (p.deploy(p.ann, "ident", instances="two"), 400, '"instances" must be an integer'),
        (p.deploy(p.ann, "ident", replicas=2), 400, 'unknown member "replicas"'),
        (p.c.call("PUT", "/api/models/ident/deployment", p.ann, body="{"), 400, "not valid JSON"),
    ]
    for r, status, message in cases:
        assert r.status == status, (message, r.body)
        assert message in error_of(r), r.body
    # Within the quota it goes through, and the quota shows what is used.
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    quota = p.c.call("GET", "/api/users/ann/quota", p.ann).json()
    assert quota["used"] == {"gpus": 1, "instances": 1, "cpus": 1, "memory_gib": 2}


def test_an_instance_that_cannot_be_placed_stays_pending_with_the_reason(platform, models_dir):
    p = platform()
    for name in ("one", "two"):
        assert p.upload(p.admin, models_dir / "identity_fp32.onnx", name).status == 201
    assert p.deploy(p.admin, "one", instances=2).status == 200
    p.wait_running(p.admin, "one", instances=2)
    assert p.deploy(p.admin, "two", instances=1).status == 200
    m = p.wait_for(p.admin, "two", lambda m: m["instances"] and m["instances"][0]["reason"])
    assert m["status"] == "pending"
    assert m["instances"][0]["state"] == "pending"
    assert m["instances"][0]["reason"] == "needs 1 GPU of type A100 in pool gpu-a, 0 free"
    r = p.predict("two", p.admin)
    assert r.status == 503 and "needs 1 GPU of type A100" in r.json()["error"]
    # Freeing a GPU lets it start.
    assert p.deploy(p.admin, "one", instances=1).status == 200
    p.wait_running(p.admin, "two", instances=1)
    p.wait_running(p.admin, "one", instances=1)


# ---- access control ----------------------------------------------------------------------------


def test_private_model_apis_need_an_access_token_that_can_be_revoked(platform, models_dir):
    p = platform()
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    p.wait_running(p.ann, "ident")
    r = p.predict("ident")
    assert r.status == 401 and "is private" in r.json()["error"]
    assert r.header("www-authenticate", "").startswith("Basic")
    created = p.c.call("POST", "/api/models/ident/access-tokens", p.ann, {"name": "app"})
    assert created.status == 201
    token, token_id = created.json()["token"], created.json()["id"]
    assert p.predict("ident", token).status == 200
    basic = base64.b64encode(f"{token}:{token}".encode()).decode()
    assert p.predict("ident", headers={"Authorization": f"Basic {basic}"}).status == 200
    listed = p.c.call("GET", "/api/models/ident/access-tokens", p.ann).json()["tokens"]
    assert [t["name"] for t in listed] == ["app"] and "token" not in listed[0]
    assert p.c.call("DELETE", f"/api/models/ident/access-tokens/{token_id}", p.ann).status == 204
    deadline = time.monotonic() + 5
    while (r := p.predict("ident", token)).status == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert r.status == 403 and "unknown or revoked" in r.json()["error"]
    r = p.predict("ident", "mha_wrong")
    assert r.status == 403
    # Public: no token needed.
    assert p.c.call("PATCH", "/api/models/ident", p.ann, {"visibility": "public"}).status == 200
    deadline = time.monotonic() + 5
    while (r := p.predict("ident")).status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert r.status == 200
    r = p.c.call("PATCH", "/api/models/ident", p.ann, {"visibility": "open"})
    assert r.status == 400 and "visibility must be" in error_of(r)


# ---- versions, labels, rolling updates ----------------------------------------------------------


def test_new_versions_roll_over_without_a_failed_request(platform, models_dir):
    p = platform()
    model = models_dir / "identity_fp32.onnx"
    assert p.upload(p.ann, model, "ident", "&visibility=public").status == 201
    assert p.deploy(p.ann, "ident", instances=2).status == 200
    p.wait_running(p.ann, "ident", instances=2, version=1)
    statuses, stop = [], threading.Event()

    def caller():
        while not stop.is_set():
            statuses.append(p.predict("ident").status)

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        r = p.new_version(p.ann, "ident", model, "?note=second")
        assert r.status == 201 and r.json()["version"] == 2
        p.wait_running(p.ann, "ident", instances=2, version=2)
        # Promote version 1 to prod: it becomes the one served again.
        r = p.c.call("POST", "/api/models/ident/promote", p.ann, {"version": 1})
        assert r.status == 200 and r.json()["active_version"] == 1
        p.wait_running(p.ann, "ident", instances=2, version=1)
        # Roll back to 2; the prod label follows.
        r = p.c.call("POST", "/api/models/ident/rollback", p.ann)
        assert r.status == 200 and r.json()["active_version"] == 2
        p.wait_running(p.ann, "ident", instances=2, version=2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(statuses) > 20 and set(statuses) == {200}, \
        {s: statuses.count(s) for s in set(statuses)}
    versions = p.c.call("GET", "/api/models/ident/versions", p.ann).json()["versions"]
    assert [(v["version"], v["labels"], v["active"], v["note"]) for v in versions] == \
        [(1, [], False, ""), (2, ["prod"], True, "second")]
    assert p.predict("ident", path="/models/ident/labels/prod/model").status == 200
    r = p.c.call("POST", "/api/models/ident/promote", p.ann, {"version": 9})
    assert r.status == 404 and "has no version 9" in error_of(r)
    r = p.predict("ident", path="/models/ident/labels/beta/model")
    assert r.status == 404 and 'no label "beta"' in r.json()["error"]


def test_scale_stop_start_and_delete(platform, models_dir, tmp_path):
    p = platform()
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    p.wait_running(p.ann, "ident", instances=1)
    assert p.deploy(p.ann, "ident", instances=2).status == 200
    p.wait_running(p.ann, "ident", instances=2)
    assert len(worker_pids(tmp_path / "data")) == 2
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    p.wait_running(p.ann, "ident", instances=1)
    assert p.c.call("POST", "/api/models/ident/stop", p.ann).status == 200
    p.wait_for(p.ann, "ident", lambda m: m["status"] == "stopped")
    assert worker_pids(tmp_path / "data") == []
    assert p.predict("ident", p.ann).status == 503
    assert p.c.call("POST", "/api/models/ident/start", p.ann).status == 200
    p.wait_running(p.ann, "ident", instances=1)
    assert p.c.call("DELETE", "/api/models/ident", p.ann).status == 202
    deadline = time.monotonic() + 20
    while p.c.call("GET", "/api/models/ident", p.ann).status != 404:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert worker_pids(tmp_path / "data") == []
    assert list((tmp_path / "data" / "blobs" / "sha256").iterdir()) == []


# ---- faults ----------------------------------------------------------------------------------


def test_a_killed_instance_is_restarted_and_a_crash_loop_fails_with_its_log(platform, models_dir):
    p = platform("--restart-backoff-ms", "50")
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident").status == 201
    assert p.deploy(p.ann, "ident", instances=1).status == 200
    m = p.wait_running(p.ann, "ident", instances=1)
    os.kill(m["instances"][0]["pid"], signal.SIGKILL)
    m = p.wait_for(p.ann, "ident", lambda m: m["instances"][0]["restarts"] == 1 and
                   m["instances"][0]["state"] == "ready")
    assert p.predict("ident", p.ann).status == 200
    # A tier whose memory limit no instance fits in: killed at every start, then failed.
    tiny = {"name": "tiny", "cpu_request": 1, "memory_request_gib": 0.001, "gpus": 0,
            "node_pool": "cpu"}
    assert p.c.call("POST", "/api/tiers", p.admin, tiny).status == 201
    assert p.deploy(p.ann, "ident", tier="tiny", instances=1).status == 200
    m = p.wait_for(p.ann, "ident", lambda m: m["status"] == "failed", timeout=60)
    failed = [i for i in m["instances"] if i["state"] == "failed"][0]
    assert "went over the tier's limit of 0.001 GiB" in failed["reason"]
    assert "5 times in a row; last log lines:" in failed["reason"]
    assert failed["pid"] == 0


def test_a_controller_killed_with_sigkill_adopts_its_instances(platform, models_dir, tmp_path):
    p = platform()
    assert p.upload(p.ann, models_dir / "identity_fp32.onnx", "ident",
                    "&visibility=public").status == 201
    assert p.deploy(p.ann, "ident", instances=2).status == 200
    p.wait_running(p.ann, "ident", instances=2)
    before = worker_pids(tmp_path / "data")
    assert len(before) == 2
    p.c.proc.kill()
    p.c.proc.wait()
    assert worker_pids(tmp_path / "data") == before  # the instances kept running
    p.c.start()
    m = p.wait_running(p.ann, "ident", instances=2)
    assert sorted(i["pid"] for i in m["instances"]) == before
    assert worker_pids(tmp_path / "data") == before  # none started twice
    assert p.predict("ident").status == 200
    # A normal stop drains and stops them.
    p.c.stop()
    assert worker_pids(tmp_path / "data") == []
