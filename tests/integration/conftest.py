"""Fixtures: generated models, the modelhost binary, and real server processes.

`start_server(model, *flags)` starts a server owned by one test; it is stopped with SIGTERM at the
end of the test and must exit 0. `server_pool.get(model, *flags)` shares one server per (model,
flags) across the whole run, for tests that only read or that measure deltas.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from modelhost_testlib import REPO_ROOT, ModelhostServer, find_binary


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "gen_test_models.py"), str(out)],
                   check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def modelhost_bin():
    binary = find_binary()
    if binary is None:
        pytest.skip("modelhost binary not found: build it (make build) or set MODELHOST_BIN")
    return binary


class _ServerFactory:
    def __init__(self, binary, models_dir):
        self.binary = binary
        self.models_dir = models_dir
        self.servers: list[ModelhostServer] = []

    def __call__(self, model: str = "identity_fp32", *flags, name: str | None = None,
                 ready_timeout: float = 30.0) -> ModelhostServer:
        server = ModelhostServer(self.binary, self.models_dir / f"{model}.onnx", list(flags), name=name)
        self.servers.append(server)
        return server.start(ready_timeout=ready_timeout)

    def stop_all(self) -> list[str]:
        problems = []
        for server in self.servers:
            if server.proc is None:
                continue
            was_running = server.running()
            try:
                rc = server.stop(timeout=30)
            except RuntimeError as exc:
                problems.append(str(exc))
                continue
            if was_running and rc != 0:
                problems.append(f"{' '.join(server.command())}: exit code {rc} after SIGTERM, "
                                f"expected 0\n{server.log()}")
        return problems


@pytest.fixture
def start_server(modelhost_bin, models_dir):
    factory = _ServerFactory(modelhost_bin, models_dir)
    yield factory
    problems = factory.stop_all()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


class _ServerPool:
    def __init__(self, factory: _ServerFactory):
        self.factory = factory
        self.by_key: dict = {}

    def get(self, model: str = "identity_fp32", *flags, name: str | None = None) -> ModelhostServer:
        key = (model, tuple(str(f) for f in flags), name)
        server = self.by_key.get(key)
        if server is None or not server.running():
            server = self.factory(model, *flags, name=name)
            self.by_key[key] = server
        return server


@pytest.fixture(scope="session")
def server_pool(modelhost_bin, models_dir):
    factory = _ServerFactory(modelhost_bin, models_dir)
    yield _ServerPool(factory)
    problems = factory.stop_all()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
