"""`modelhost serve` with a declared nodes file: the inventory API and hardware tiers (admin
CRUD, validation against the pools, what users see)."""

from __future__ import annotations

import os
import subprocess

import pytest

from test_serve_auth import Controller, error_of, start_with_nodes

NODES = {"pools": [
    {"name": "gpu-a", "nodes": [
        {"name": "node-1", "cpus": 16, "memory_gib": 64,
         "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]},
        {"name": "node-2", "cpus": 16, "memory_gib": 64,
         "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]},
    {"name": "gpu-b", "nodes": [
        {"name": "node-3", "cpus": 32, "memory_gib": 128,
         "gpus": [{"type": "T4", "memory_gib": 16}] * 4}]},
]}


@pytest.fixture
def declared(modelhost_bin, tmp_path):
    c = start_with_nodes(modelhost_bin, tmp_path, NODES)
    yield c
    c.stop()


def test_the_inventory_lists_declared_pools_and_gpus(declared):
    c = declared
    body = c.call("GET", "/api/nodes", c.admin_token).json()
    assert body["source"].endswith("nodes.json")
    assert [(n["name"], n["pool"], len(n["gpus"])) for n in body["nodes"]] == [
        ("node-1", "gpu-a", 2), ("node-2", "gpu-a", 2), ("node-3", "gpu-b", 4)]
    gpu = body["nodes"][2]["gpus"][3]
    assert gpu == {"index": 3, "uuid": "declared-node-3-3", "type": "T4", "memory_gib": 16,
                   "declared": True, "held_by": None}


def test_admins_define_tiers_that_fit_and_users_see_the_visible_ones(declared):
    c = declared
    admin = c.admin_token
    small = c.call("POST", "/api/tiers", admin,
                   {"name": "small", "cpu_request": 1, "memory_request_gib": 2, "node_pool": "gpu-b",
                    "default": True})
    assert small.status == 201, small.body
    assert small.json() | {"created_at": None} == {
        "name": "small", "cpu_request": 1.0, "cpu_limit": 1.0, "memory_request_gib": 2.0,
        "memory_limit_gib": 2.0, "gpus": 0, "gpu_type": "", "node_pool": "gpu-b", "visible": True,
        "default": True, "max_instances": 32, "created_at": None}
    a100 = c.call("POST", "/api/tiers", admin,
                  {"name": "a100x2", "cpu_request": 4, "cpu_limit": 8, "memory_request_gib": 16,
                   "memory_limit_gib": 32, "gpus": 2, "gpu_type": "A100", "node_pool": "gpu-a",
                   "visible": False, "max_instances": 4})
    assert a100.status == 201, a100.body
    # The admin sees both, a user only the visible one; a hidden tier does not exist for users.
    assert [t["name"] for t in c.call("GET", "/api/tiers", admin).json()["tiers"]] == ["a100x2", "small"]
    assert c.call("POST", "/api/users", admin, {"name": "ann"}).status == 201
    ann = c.call("POST", "/api/users/ann/tokens", admin, {"name": "t"}).json()["token"]
    assert [t["name"] for t in c.call("GET", "/api/tiers", ann).json()["tiers"]] == ["small"]
    hidden = c.call("GET", "/api/tiers/a100x2", ann)
    assert hidden.status == 404 and error_of(hidden) == 'no tier "a100x2"'
    assert c.call("POST", "/api/tiers", ann, {"name": "mine", "node_pool": "gpu-b"}).status == 403
    assert c.call("DELETE", "/api/tiers/small", ann).status == 403
    # Updates merge; making a100x2 visible and the default moves the default flag.
    upd = c.call("PUT", "/api/tiers/a100x2", admin, {"visible": True, "default": True})
    assert upd.status == 200 and upd.json()["default"] is True and upd.json()["gpus"] == 2
    assert c.call("GET", "/api/tiers/small", ann).json()["default"] is False
    # A change that could never be placed is refused and leaves the tier as it was.
    bad = c.call("PUT", "/api/tiers/a100x2", admin, {"gpus": 3})
    assert bad.status == 400
    assert error_of(bad) == ('tier "a100x2" can never be placed: no node in pool "gpu-a" has 3 GPUs '
                             'of type A100 (the most is 2, on node-1)')
    assert c.call("GET", "/api/tiers/a100x2", admin).json()["gpus"] == 2
    assert c.call("DELETE", "/api/tiers/small", admin).status == 204
    assert c.call("GET", "/api/tiers/small", admin).status == 404
    # Tiers survive a restart.
    c.stop()
    c.start()
    assert [t["name"] for t in c.call("GET", "/api/tiers", admin).json()["tiers"]] == ["a100x2"]


@pytest.mark.parametrize("body,message", [
    ({"name": "t", "node_pool": "gpu-c"}, 'node pool "gpu-c" does not exist (pools: gpu-a, gpu-b)'),
    ({"name": "t", "node_pool": "gpu-b", "gpus": 5, "gpu_type": "T4"},
     'no node in pool "gpu-b" has 5 GPUs of type T4 (the most is 4, on node-3)'),
    ({"name": "t", "node_pool": "gpu-a", "cpu_request": 20},
     'no node in pool "gpu-a" has 20 CPU cores (the most is 16, on node-1)'),
    ({"name": "t", "node_pool": "gpu-a", "memory_request_gib": 65},
     'has 65 GiB of memory (the most is 64, on node-1)'),
    ({"name": "t", "node_pool": "gpu-a", "cpu_request": 4, "cpu_limit": 2},
     "cpu_request and cpu_limit must be positive with request <= limit, got 4 and 2"),
    ({"name": "t", "node_pool": "gpu-a", "cpu_request": -1}, "must be positive"),
    ({"name": "t", "node_pool": "gpu-a", "max_instances": 0}, "max_instances must be between 1 and 32"),
    ({"name": "t", "node_pool": "gpu-a", "gpus": 1.5}, '"gpus" must be an integer'),
    ({"name": "t", "node_pool": "gpu-a", "visible": "yes"}, '"visible" must be true or false'),
    ({"name": "t", "node_pool": "gpu-a", "colour": "red"}, 'unknown member "colour"'),
    ({"name": "a b", "node_pool": "gpu-a"}, 'tier name "a b" is not valid'),
    ({"node_pool": "gpu-a"}, '"name" is required'),
])
def test_bad_tiers_are_refused_with_the_reason(declared, body, message):
    c = declared
    resp = c.call("POST", "/api/tiers", c.admin_token, body)
    assert resp.status == 400, resp.body
    assert message in error_of(resp)


def test_duplicate_tiers_and_renames(declared):
    c = declared
    assert c.call("POST", "/api/tiers", c.admin_token, {"name": "x", "node_pool": "gpu-b"}).status == 201
    dup = c.call("POST", "/api/tiers", c.admin_token, {"name": "x", "node_pool": "gpu-b"})
    assert dup.status == 409 and error_of(dup) == 'tier "x" exists already'
    rename = c.call("PUT", "/api/tiers/x", c.admin_token, {"name": "y"})
    assert rename.status == 400 and "cannot be renamed" in error_of(rename)
    missing = c.call("PUT", "/api/tiers/nope", c.admin_token, {"gpus": 0})
    assert missing.status == 404


def test_a_bad_nodes_file_stops_the_start(modelhost_bin, tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text('{"pools": [{"name": "p", "nodes": [{"name": "n", "cpus": 0, "memory_gib": 1}]}]}')
    proc = subprocess.run([str(modelhost_bin), "serve", "--data-dir", str(tmp_path / "d"),
                           "--listen", "127.0.0.1:0", "--nodes", str(nodes)],
                          capture_output=True, text=True, timeout=20, env=dict(os.environ))
    assert proc.returncode == 2
    assert "pools[0].nodes[0].cpus must be positive, got 0" in proc.stderr


def test_without_a_nodes_file_this_machine_is_the_local_pool(modelhost_bin, tmp_path):
    c = Controller(modelhost_bin, tmp_path / "data").start()
    try:
        body = c.call("GET", "/api/nodes", c.admin_token).json()
        assert body["source"] == "local"
        assert len(body["nodes"]) == 1 and body["nodes"][0]["pool"] == "local"
        assert body["nodes"][0]["cpus"] >= 1
        # With one pool, a tier's pool may be left out.
        t = c.call("POST", "/api/tiers", c.admin_token, {"name": "cpu-1"})
        assert t.status == 201 and t.json()["node_pool"] == "local"
    finally:
        c.stop()
