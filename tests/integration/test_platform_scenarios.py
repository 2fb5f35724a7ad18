"""The platform's scenarios on a declared pool of 4 GPUs with two users and three tiers: scaling
1 -> 3 -> 1, a worker killed with SIGKILL under load, concurrent deploys and deletes of one name,
the authorization matrix of every Model API route, and the CLI doing the two steps."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from modelhost_testlib import http_request
from test_model_apis import DOMINO, ROW, worker_pids
from test_serve_auth import start_with_nodes

NODES = {"pools": [
    {"name": "gpu-a", "nodes": [
        {"name": "node-1", "cpus": 16, "memory_gib": 64,
         "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]},
        {"name": "node-2", "cpus": 16, "memory_gib": 64,
         "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]},
    {"name": "cpu", "nodes": [{"name": "node-c", "cpus": 8, "memory_gib": 32, "gpus": []}]}]}
TIERS = [
    {"name": "a100x1", "cpu_request": 1, "memory_request_gib": 2, "gpus": 1, "gpu_type": "A100",
     "node_pool": "gpu-a", "default": True},
    {"name": "a100x2", "cpu_request": 2, "memory_request_gib": 4, "gpus": 2, "gpu_type": "A100",
     "node_pool": "gpu-a", "max_instances": 2},
    {"name": "cpu-small", "cpu_request": 0.5, "memory_request_gib": 1, "gpus": 0,
     "node_pool": "cpu"},
]


class Site:
    def __init__(self, binary, tmp_path):
        self.c = start_with_nodes(binary, tmp_path, NODES)
        self.binary, self.data = binary, tmp_path / "data"
        self.admin = self.c.admin_token
        self.tokens = {}
        for user in ("ann", "bob"):
            assert self.c.call("POST", "/api/users", self.admin, {"name": user}).status == 201
            self.tokens[user] = self.c.call("POST", f"/api/users/{user}/tokens", self.admin,
                                            {"name": "t"}).json()["token"]
        for tier in TIERS:
            assert self.c.call("POST", "/api/tiers", self.admin, tier).status == 201, tier

    def call(self, method, path, token, body=None, headers=None):
        return self.c.call(method, path, token, body=body, headers=headers)

    def upload(self, token, name, model_file):
        return self.call("POST", f"/api/models?name={name}", token, body=model_file.read_bytes())

    def wait(self, token, name, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            m = self.call("GET", f"/api/models/{name}", token).json()
            if predicate(m):
                return m
            assert time.monotonic() < deadline, m
            time.sleep(0.1)

    def running(self, token, name, n):
        return self.wait(token, name, lambda m: m["status"] == "running" and
                         sum(i["state"] == "ready" for i in m["instances"]) == n and
                         len(m["instances"]) == n)

    def gpus_held(self):
        nodes = self.call("GET", "/api/nodes", self.admin).json()["nodes"]
        return sorted((n["name"], g["index"], g["held_by"]["model"]) for n in nodes
                      for g in n["gpus"] if g["held_by"])


@pytest.fixture
def site(modelhost_bin, tmp_path):
    s = Site(modelhost_bin, tmp_path)
    yield s
    s.c.stop()


def test_scale_one_three_one_takes_and_gives_back_gpus(site, models_dir):
    ann = site.tokens["ann"]
    assert site.upload(ann, "ident", models_dir / "identity_fp32.onnx").status == 201
    for n in (1, 3, 1):
        r = site.call("PUT", "/api/models/ident/deployment", ann, {"instances": n})
        assert r.status == 200, r.body
        m = site.running(ann, "ident", n)
        deadline = time.monotonic() + 10
        while len(site.gpus_held()) != n:  # stopped instances give their GPU back on exit
            assert time.monotonic() < deadline, site.gpus_held()
            time.sleep(0.1)
        # Each instance has a GPU of its own.
        assert len({(i["node"], tuple(i["gpus"])) for i in m["instances"]}) == n
    # Two GPUs per instance on a 2-GPU-per-node pool: whole nodes.
    assert site.call("PUT", "/api/models/ident/deployment", ann,
                     {"tier": "a100x2", "instances": 1}).status == 200
    m = site.running(ann, "ident", 1)
    assert sorted(m["instances"][0]["gpus"]) == [0, 1]
    # Bob's CPU-tier Model API shares the CPU node with nothing to hold.
    bob = site.tokens["bob"]
    assert site.upload(bob, "bobs", models_dir / "identity_fp32.onnx").status == 201
    assert site.call("PUT", "/api/models/bobs/deployment", bob,
                     {"tier": "cpu-small", "instances": 2}).status == 200
    m = site.running(bob, "bobs", 2)
    assert {i["node"] for i in m["instances"]} == {"node-c"}
    assert all(i["gpus"] == [] and not i["simulated_gpu"] for i in m["instances"])
    # Quota: bob's default quota allows 8 instances; 9 more is refused with the numbers.
    site.call("PUT", "/api/users/bob/quota", site.admin, {"max_instances": 3})
    r = site.call("PUT", "/api/models/bobs/deployment", bob, {"instances": 4})
    assert r.status == 403
    assert r.json()["error"] == ('quota exceeded for user "bob": instances 0 in use + 4 '
                                 'requested > limit 3')


def test_a_killed_worker_fails_requests_fast_and_comes_back(site, models_dir):
    ann = site.tokens["ann"]
    assert site.upload(ann, "ident", models_dir / "identity_fp32.onnx").status == 201
    site.call("PATCH", "/api/models/ident", ann, {"visibility": "public"})
    assert site.call("PUT", "/api/models/ident/deployment", ann, {"instances": 2}).status == 200
    m = site.running(ann, "ident", 2)
    results, stop = [], threading.Event()

    def caller():
        while not stop.is_set():
            r = http_request(site.c.port, "POST", "/models/ident/latest/model", body=DOMINO,
                             timeout=10)
            results.append((r.status, r.elapsed_s))

    threads = [threading.Thread(target=caller) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    victim = m["instances"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    try:
        site.wait(ann, "ident", lambda m: sum(i["restarts"] for i in m["instances"]) == 1 and
                  m["status"] == "running", timeout=30)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    statuses = {s for s, _ in results}
    assert statuses <= {200, 502}, statuses
    # Nothing hangs: even a request caught by the kill is answered within a second.
    assert max(e for _, e in results) < 1.0, max(e for _, e in results)
    assert sum(s == 200 for s, _ in results) > 20
    assert results[-1][0] == 200


def test_concurrent_deploys_and_deletes_of_one_name_stay_consistent(site, models_dir):
    ann = site.tokens["ann"]
    body = (models_dir / "identity_fp32.onnx").read_bytes()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda _: site.call("POST", "/api/models?name=race", ann,
                                                    body=body).status, range(8)))
    assert sorted(created) == [201] + [409] * 7
    # Deploy, scale and delete racing each other: never a 5xx, and the end state is coherent.
    ops = [("PUT", "/api/models/race/deployment", {"instances": n}) for n in (1, 2, 3)] + \
          [("DELETE", "/api/models/race", None)] * 2 + \
          [("POST", "/api/models/race/stop", {}), ("POST", "/api/models/race/start", {})]
    with concurrent.futures.ThreadPoolExecutor(len(ops)) as pool:
        answers = list(pool.map(lambda op: site.call(op[0], op[1], ann, op[2]).status, ops))
    assert all(s < 500 for s in answers), answers
    assert 202 in answers
    deadline = time.monotonic() + 30
    while site.call("GET", "/api/models/race", ann).status != 404:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    deadline = time.monotonic() + 10
    while worker_pids(site.data):
        assert time.monotonic() < deadline, worker_pids(site.data)
        time.sleep(0.1)
    assert site.gpus_held() == []
    # The name is free again.
    assert site.call("POST", "/api/models?name=race", ann, body=body).status == 201


ROUTES = [
    ("GET", "/api/models/{m}", None),
    ("PATCH", "/api/models/{m}", {"description": "x"}),
    ("GET", "/api/models/{m}/versions", None),
    ("POST", "/api/models/{m}/versions", b"model"),
    ("PUT", "/api/models/{m}/deployment", {"instances": 1}),
    ("POST", "/api/models/{m}/stop", {}),
    ("POST", "/api/models/{m}/start", {}),
    ("POST", "/api/models/{m}/promote", {"version": 1}),
    ("POST", "/api/models/{m}/rollback", {}),
    ("DELETE", "/api/models/{m}/labels/prod", None),
    ("GET", "/api/models/{m}/instances/inst-x/logs", None),
    ("GET", "/api/models/{m}/metrics", None),
    ("GET", "/api/models/{m}/access-tokens", None),
    ("POST", "/api/models/{m}/access-tokens", {"name": "x"}),
    ("DELETE", "/api/models/{m}/access-tokens/mat-x", None),
    ("DELETE", "/api/models/{m}", None),
]


def test_the_authorization_matrix(site, models_dir):
    ann, bob = site.tokens["ann"], site.tokens["bob"]
    assert site.upload(ann, "anns", models_dir / "identity_fp32.onnx").status == 201
    assert site.upload(bob, "bobs", models_dir / "identity_fp32.onnx").status == 201
    model_token = site.call("POST", "/api/models/bobs/access-tokens", bob,
                            {"name": "app"}).json()["token"]
    for method, pattern, body in ROUTES:
        path = pattern.format(m="anns")
        # No token, a wrong token, a model access token: 401 on the management API.
        for token in (None, "mh_" + "0" * 32, model_token):
            r = site.call(method, path, token, body=body)
            assert r.status == 401, (method, path, token, r.body)
        # Another user's Model API does not exist for them.
        r = site.call(method, path, bob, body=body)
        assert r.status == 404, (method, path, r.body)
        assert 'no Model API "anns"' in r.json()["error"]
    # The owner and an admin may.
    assert site.call("GET", "/api/models/anns", ann).status == 200
    assert site.call("GET", "/api/models/anns", site.admin).status == 200
    assert [m["name"] for m in site.call("GET", "/api/models", site.admin).json()["models"]] == \
        ["anns", "bobs"]
    # Model traffic: a private Model API takes its own access tokens only.
    for name in ("anns", "bobs"):
        assert site.call("PUT", f"/api/models/{name}/deployment",
                         ann if name == "anns" else bob, {"instances": 1}).status == 200
    site.running(ann, "anns", 1)
    site.running(bob, "bobs", 1)
    call = lambda name, token: http_request(  # noqa: E731
        site.c.port, "POST", f"/models/{name}/latest/model", body=DOMINO,
        headers={"Authorization": f"Bearer {token}"} if token else {})
    assert call("bobs", model_token).status == 200
    r = call("anns", model_token)  # another model's token
    assert r.status == 403 and "not an access token of Model API \"anns\"" in r.json()["error"]
    assert call("anns", bob).status == 403  # another user's personal token
    assert call("anns", ann).status == 200  # the owner's personal token
    assert call("anns", site.admin).status == 200
    assert call("anns", None).status == 401
    # Admin-only routes refuse a user.
    for method, path, body in [("POST", "/api/tiers", {"name": "x"}),
                               ("PUT", "/api/users/ann/quota", {"max_gpus": 9}),
                               ("GET", "/api/users", None)]:
        assert site.call(method, path, ann, body=body).status == 403


def test_the_cli_deploys_in_two_steps_and_manages_the_model(site, models_dir, tmp_path):
    env = dict(os.environ, MODELHOST_URL=f"http://127.0.0.1:{site.c.port}",
               MODELHOST_TOKEN=site.tokens["ann"], XDG_CONFIG_HOME=str(tmp_path / "cfg"))

    def cli(*args, check=True):
        p = subprocess.run([str(site.binary), *args], env=env, capture_output=True, text=True,
                           timeout=60)
        if check:
            assert p.returncode == 0, (args, p.stdout, p.stderr)
        return p

    model = models_dir / "identity_fp32.onnx"
    p = cli("deploy", "ident", "--file", str(model), "--instances", "2", "--description", "demo")
    assert "uploading identity_fp32.onnx" in p.stderr and "100%" in p.stderr
    assert "running: 2 of 2 instances ready" in p.stderr and "ready in" in p.stderr
    assert "status: running" in p.stdout
    assert site.gpus_held() == [("node-1", 0, "ident"), ("node-1", 1, "ident")]
    ls = cli("ls").stdout.splitlines()
    assert ls[0].split()[:7] == ["NAME", "OWNER", "STATUS", "VERSION", "TIER", "PRECISION",
                                 "READY"]
    assert ls[1].split()[:7] == ["ident", "ann", "running", "1", "a100x1", "fp32", "2/2"]
    status = cli("status", "ident").stdout
    assert "instances: 2 ready of 2" in status and "simulated GPU" in status
    request = tmp_path / "req.json"
    request.write_text(json.dumps(DOMINO))
    out = json.loads(cli("predict", "ident", "--json", str(request)).stdout)
    assert out["result"]["OUTPUT0"] == [ROW]
    cli("deploy", "ident", "--file", str(model))  # version 2, rolled over
    versions = cli("versions", "ident", "--output", "json").stdout
    assert [v["active"] for v in json.loads(versions)["versions"]] == [False, True]
    assert "active_version: 1" in cli("rollback", "ident").stdout
    assert "active_version: 2" in cli("promote", "ident", "2").stdout
    assert "instances: 1" in cli("scale", "ident", "1").stdout
    site.running(site.tokens["ann"], "ident", 1)
    assert "starting version 2" in cli("logs", "ident", "--tail", "20").stdout
    token = cli("access", "ident", "create", "app").stdout
    assert "token: mha_" in token
    # Errors: the API's message, exit 1; a command-line mistake, exit 2.
    p = cli("scale", "ident", "40", check=False)
    assert p.returncode == 2 and "INSTANCES must be 1 to 32" in p.stderr
    p = cli("deploy", "other", check=False)
    assert p.returncode == 2 and "give its model with --file" in p.stderr
    p = cli("deploy", "broken", "--file", str(models_dir / "not_a_model.onnx"), check=False)
    assert p.returncode == 1 and "the model file was refused: not a valid ONNX model" in p.stderr
    p = cli("status", "nothing", check=False)
    assert p.returncode == 1 and 'no Model API "nothing"' in p.stderr
    cli("stop", "ident")
    site.wait(site.tokens["ann"], "ident", lambda m: m["status"] == "stopped")
    assert "being deleted" in cli("rm", "ident").stdout
