"""Fixtures for the real-model tests: the exported models, the binary, one server at a time.

The models come from scripts/fixtures (build/fixtures, or $MODELHOST_FIXTURES). The server helpers
are the integration tests' own (tests/integration/modelhost_testlib.py), imported, not copied.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from modelhost_testlib import REPO_ROOT, ModelhostServer, find_binary  # noqa: E402

from model_cases import MODEL_ORDER, RESULTS  # noqa: E402

FIXTURES_DIR = Path(os.environ.get("MODELHOST_FIXTURES", REPO_ROOT / "build" / "fixtures"))
SERVER_FLAGS = ["--threads", "2", "--request-timeout-ms", "300000"]


def pytest_collection_modifyitems(items):
    """Runs every test of one model before the next model's, so one server (and one onnxruntime
    session) at a time is enough."""
    def key(item):
        callspec = getattr(item, "callspec", None)
        model = callspec.params.get("model") if callspec else None
        return MODEL_ORDER.index(model) if model in MODEL_ORDER else len(MODEL_ORDER)

    items.sort(key=key)  # stable: within a model, file order and case order are kept


@pytest.fixture(scope="session")
def manifest() -> dict:
    path = FIXTURES_DIR / "manifest.json"
    if not path.exists():
        pytest.skip(f"no fixtures at {FIXTURES_DIR}: run `make fixtures` (scripts/fixtures)")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def modelhost_bin():
    binary = find_binary()
    if binary is None:
        pytest.skip("modelhost binary not found: build it (make build) or set MODELHOST_BIN")
    return binary


class _OneAtATime:
    """Keeps the server and the onnxruntime session of the current model; switching models stops
    the previous server. A server that failed to start keeps failing with the same error without
    being started again."""

    def __init__(self, binary: Path, manifest: dict):
        self.binary = binary
        self.manifest = manifest
        self.model: str | None = None
        self.server: ModelhostServer | None = None
        self.start_error: Exception | None = None
        self.ort = None
        self.problems: list[str] = []

    def entry(self, model: str) -> dict:
        if model not in self.manifest:
            pytest.fail(f"fixture {model!r} is missing from {FIXTURES_DIR / 'manifest.json'}: "
                        "re-run `make fixtures`", pytrace=False)
        return self.manifest[model]

    def path(self, model: str) -> Path:
        return FIXTURES_DIR / self.entry(model)["file"]

    def _switch(self, model: str):
        if self.model == model:
            return
        self.close()
        self.model = model
        self.server = ModelhostServer(self.binary, self.path(model), list(SERVER_FLAGS))
        try:
            self.server.start(ready_timeout=120.0)
        except RuntimeError as exc:
            self.start_error = exc

    def get_server(self, model: str) -> ModelhostServer:
        self._switch(model)
        if self.start_error is not None:
            raise self.start_error
        return self.server

    def get_ort(self, model: str):
        import onnxruntime as ort

        self._switch(model)
        if self.ort is None:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 2
            self.ort = ort.InferenceSession(str(self.path(model)), options,
                                            providers=["CPUExecutionProvider"])
        return self.ort

    def close(self):
        if self.server is not None and self.server.running():
            try:
                rc = self.server.stop(timeout=60)
                if rc != 0:
                    self.problems.append(f"{self.model}: exit code {rc} after SIGTERM, expected 0\n"
                                         f"{self.server.log()}")
            except RuntimeError as exc:
                self.problems.append(str(exc))
        self.model, self.server, self.start_error, self.ort = None, None, None, None


@pytest.fixture(scope="session")
def served(modelhost_bin, manifest):
    holder = _OneAtATime(modelhost_bin, manifest)
    yield holder
    holder.close()
    if holder.problems:
        pytest.fail("\n\n".join(holder.problems), pytrace=False)


# --- Error summary --------------------------------------------------------------------------------

def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("modelhost vs onnxruntime: max abs error per output")
    terminalreporter.write_line(f"{'model':<16} {'case':<14} {'output':<20} {'max abs err':>12} "
                                f"{'bound':>10}")
    for model, case, output, err, bound in RESULTS:
        flag = "" if err <= bound else "  MISMATCH"
        terminalreporter.write_line(f"{model:<16} {case:<14} {output:<20} {err:>12.3e} "
                                    f"{bound:>10.3e}{flag}")
