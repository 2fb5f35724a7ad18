"""The CLI (`modelhost login`, `user`, `token`, `tier`, `quota`, `env`) against a real controller:
tables by default, --output json for scripts, API errors printed with exit code 1."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from test_serve_auth import start_with_nodes

NODES = {"pools": [{"name": "gpu-a", "nodes": [
    {"name": "n1", "cpus": 16, "memory_gib": 64,
     "gpus": [{"type": "A100", "memory_gib": 80}, {"type": "A100", "memory_gib": 80}]}]}]}


@pytest.fixture
def cli(modelhost_bin, tmp_path):
    c = start_with_nodes(modelhost_bin, tmp_path, NODES)
    config = tmp_path / "config"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELHOST_")}
    env["XDG_CONFIG_HOME"] = str(config)

    def run(*args, extra_env=None, check=None):
        proc = subprocess.run([str(modelhost_bin), *args], capture_output=True, text=True,
                              timeout=30, env=dict(env, **(extra_env or {})))
        if check is not None:
            assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    run.controller = c
    run.config = config
    yield run
    c.stop()


def test_login_remembers_the_controller_privately(cli):
    c = cli.controller
    url = f"http://127.0.0.1:{c.port}"
    out = cli("login", "--url", url, "--token", c.admin_token, check=0).stdout
    assert out.strip() == f"logged in to {url} as admin (admin)"
    saved = cli.config / "modelhost" / "cli.json"
    assert json.loads(saved.read_text()) == {"url": url, "token": c.admin_token}
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    bad = cli("login", "--url", url, "--token", "mh_" + "0" * 32, check=1)
    assert bad.stderr.strip() == "error: invalid or revoked token"
    nobody = cli("login", "--url", "http://127.0.0.1:1", "--token", "x", check=1)
    assert "cannot reach 127.0.0.1:1" in nobody.stderr


def test_not_logged_in_says_how(cli):
    proc = cli("tier", "ls", check=2)
    assert "not logged in: run `modelhost login --url" in proc.stderr


def test_tiers_quotas_users_tokens_and_envs(cli):
    c = cli.controller
    cli("login", "--url", f"http://127.0.0.1:{c.port}", "--token", c.admin_token, check=0)
    made = cli("tier", "create", "a100", "--cpu", "4", "--memory-gib", "16", "--gpus", "1",
               "--gpu-type", "A100", "--default", check=0).stdout
    assert "name: a100" in made and "node_pool: gpu-a" in made
    lines = cli("tier", "ls", check=0).stdout.splitlines()
    assert lines[0].split() == ["NAME", "CPU", "CPU_LIMIT", "MEMORY_GIB", "GPUS", "GPU_TYPE",
                                "POOL", "VISIBLE", "DEFAULT", "MAX"]
    assert lines[1].split() == ["a100", "4", "4", "16", "1", "A100", "gpu-a", "yes", "yes", "32"]
    tiers = json.loads(cli("tier", "ls", "--output", "json", check=0).stdout)["tiers"]
    assert [t["name"] for t in tiers] == ["a100"]
    refused = cli("tier", "create", "big", "--gpus", "3", "--gpu-type", "A100", check=1)
    assert refused.stderr.strip() == ('error: tier "big" can never be placed: no node in pool '
                                      '"gpu-a" has 3 GPUs of type A100 (the most is 2, on n1)')
    assert "must be an integer" in cli("tier", "create", "x", "--gpus", "two", check=2).stderr
    cli("tier", "update", "a100", "--max-instances", "4", check=0)
    assert json.loads(cli("tier", "ls", "--output", "json", check=0).stdout)["tiers"][0]["max_instances"] == 4

    cli("user", "create", "ann", check=0)
    users = cli("user", "ls", check=0).stdout
    assert "ann" in users and "admin" in users
    cli("quota", "set", "ann", "--gpus", "2", "--cpus", "8.5", check=0)
    quota = json.loads(cli("quota", "show", "--user", "ann", "--output", "json", check=0).stdout)
    assert (quota["max_gpus"], quota["max_cpus"], quota["default"]) == (2, 8.5, False)

    token = json.loads(cli("token", "create", "laptop", "--user", "ann", "--output", "json",
                           check=0).stdout)
    ann = {"MODELHOST_TOKEN": token["token"]}
    mine = cli("quota", "show", extra_env=ann, check=0).stdout.splitlines()
    assert mine[1].split()[:3] == ["ann", "2", "8"]
    denied = cli("user", "ls", extra_env=ann, check=1)
    assert denied.stderr.strip() == "error: this needs the admin role"
    cli("token", "revoke", token["id"], check=0)
    assert "invalid or revoked token" in cli("quota", "show", extra_env=ann, check=1).stderr

    cli("env", "create", "py", "--interpreter", "/bin/sh", "--description", "stand-in", check=0)
    envs = cli("env", "ls", check=0).stdout
    assert "onnx" in envs and "/bin/sh" in envs
    assert "built in" in cli("env", "rm", "onnx", check=1).stderr
    assert cli("tier", "rm", "a100", check=0).returncode == 0
    assert "usage: modelhost tier" in cli("tier", "frobnicate", check=2).stderr
