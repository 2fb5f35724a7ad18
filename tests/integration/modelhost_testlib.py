"""Helpers for driving a real `modelhost run` process from the outside.

Nothing here imports modelhost code: the tests talk to the binary over HTTP, like any client.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
LISTEN_PORT_RE = re.compile(r"\bport=(\d+)")


def find_binary() -> Path | None:
    """MODELHOST_BIN if set, else build/bin/modelhost under the repository root."""
    env = os.environ.get("MODELHOST_BIN")
    path = Path(env) if env else REPO_ROOT / "build" / "bin" / "modelhost"
    return path if path.is_file() and os.access(path, os.X_OK) else None


def find_perf_analyzer() -> tuple[str | None, dict, str]:
    """Locates perf_analyzer and the environment it needs.

    Returns (path or None, env, reason). Looks at PERF_ANALYZER, the venv's bin and PATH. The
    tritonclient-wheel build links libcudart.so.12 even for HTTP-only use, so a cuda runtime found
    in the venv's site-packages (nvidia-cuda-runtime-cu12) is added to LD_LIBRARY_PATH.
    """
    env = dict(os.environ)
    candidates = [os.environ.get("PERF_ANALYZER"), str(REPO_ROOT / ".venv" / "bin" / "perf_analyzer"),
                  shutil.which("perf_analyzer")]
    path = next((c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)), None)
    if path is None:
        return None, env, ("perf_analyzer not found (PERF_ANALYZER, .venv/bin, PATH); the PyPI "
                           "'perf-analyzer' wheels need glibc 2.38, newer than Debian 12's")
    lib_dirs = [str(p) for p in (REPO_ROOT / ".venv" / "lib").glob("python3*/site-packages/nvidia/*/lib")]
    if lib_dirs:
        env["LD_LIBRARY_PATH"] = ":".join(lib_dirs + [env.get("LD_LIBRARY_PATH", "")]).rstrip(":")
    try:
        probe = subprocess.run([path, "--version"], env=env, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, env, f"perf_analyzer at {path} cannot run: {exc}"
    out = probe.stdout + probe.stderr
    if "error while loading shared libraries" in out or "not found (required by" in out:
        return None, env, f"perf_analyzer at {path} cannot run: {out.strip().splitlines()[0]}"
    return path, env, ""


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict  # lower-cased names
    body: bytes
    elapsed_s: float = 0.0

    def json(self):
        return json.loads(self.body)

    def header(self, name: str, default=None):
        return self.headers.get(name.lower(), default)


def http_request(port: int, method: str, path: str, body: bytes | str | dict | list | None = None,
                 headers: dict | None = None, timeout: float = 30.0, host: str = HOST) -> Response:
    """One request on a fresh connection. dict/list bodies are sent as JSON."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    start = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                        time.monotonic() - start)
    finally:
        conn.close()


def raw_exchange(port: int, payload: bytes, timeout: float = 10.0, host: str = HOST) -> Response | None:
    """Writes raw bytes and reads one HTTP response; None if the server closed without one.

    Tolerates the server closing while we are still writing: it may answer early (413, 431).
    """
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(sock, start, timeout)


def read_response(sock: socket.socket, start: float, timeout: float) -> Response | None:
    sock.settimeout(timeout)
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    if b"\r\n\r\n" not in buf:
        return None
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "-1"))
    try:
        while length < 0 or len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    body = rest[:length] if length >= 0 else rest
    return Response(status, headers, body, time.monotonic() - start)


# --- Server process ----------------------------------------------------------------------------


@dataclass
class ModelhostServer:
    """A `modelhost run` subprocess on a free port. Use start()/stop(), or the conftest factories."""

    binary: Path
    model_path: Path
    args: list = field(default_factory=list)
    name: str | None = None
    host: str = HOST
    proc: subprocess.Popen | None = None
    port: int | None = None
    log_lines: list = field(default_factory=list)

    def __post_init__(self):
        self._port_found = threading.Event()
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self.name or Path(self.model_path).stem

    @property
    def url(self) -> str:
        """host:port, the form tritonclient and perf_analyzer take."""
        return f"{self.host}:{self.port}"

    def command(self) -> list:
        cmd = [str(self.binary), "run", "--model", str(self.model_path), "--host", self.host,
               "--http-port", "0"]
        if self.name:
            cmd += ["--name", self.name]
        return cmd + [str(a) for a in self.args]

    def start(self, ready_timeout: float = 30.0) -> "ModelhostServer":
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        threading.Thread(target=self._pump_log, daemon=True).start()
        deadline = time.monotonic() + ready_timeout
        while not self._port_found.wait(0.05):
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the pump collect the last lines
                raise RuntimeError(f"modelhost exited with {self.proc.returncode} before listening:\n"
                                   f"{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"modelhost did not log 'listening ... port=N' within "
                                   f"{ready_timeout}s:\n{self.log()}")
        while True:
            try:
                if self.get("/v2/health/ready", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"modelhost never became ready:\n{self.log()}")
            time.sleep(0.05)

    def _pump_log(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self.log_lines.append(line)
            if not self._port_found.is_set() and "listening" in line:
                match = LISTEN_PORT_RE.search(line)
                if match:
                    self.port = int(match.group(1))
                    self._port_found.set()

    def log(self) -> str:
        with self._lock:
            return "\n".join(self.log_lines[-200:])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int = signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code. Kills and raises if it does not exit in time."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise RuntimeError(f"modelhost did not exit within {timeout}s of SIGTERM:\n{self.log()}")
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def rss_kib(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    # HTTP shortcuts
    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 30.0) -> Response:
        return http_request(self.port, method, path, body, headers, timeout, self.host)

    def get(self, path: str, timeout: float = 30.0) -> Response:
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, body=None, headers=None, timeout: float = 30.0) -> Response:
        return self.request("POST", path, body, headers, timeout)


# --- Requests and metrics -------------------------------------------------------------------------


def json_input(name: str, array, datatype: str | None = None) -> dict:
    import numpy as np

    arr = np.asarray(array)
    if datatype is None:
        datatype = {"float32": "FP32", "int64": "INT64", "float64": "FP64", "int32": "INT32"}[str(arr.dtype)]
    return {"name": name, "shape": list(arr.shape), "datatype": datatype, "data": arr.flatten().tolist()}


def binary_infer_body(header: dict, blobs: list[bytes]) -> tuple[bytes, dict]:
    """Body and headers for the binary tensor extension: JSON header followed by raw tensors."""
    head = json.dumps(header).encode()
    return head + b"".join(blobs), {"Inference-Header-Content-Length": str(len(head)),
                                    "Content-Type": "application/octet-stream"}


def split_binary_response(resp: Response) -> tuple[dict, dict]:
    """(header JSON, {output name: raw bytes}) for a response that may carry binary outputs."""
    length = resp.header("inference-header-content-length")
    if length is None:
        return resp.json(), {}
    length = int(length)
    header = json.loads(resp.body[:length])
    blobs, offset = {}, length
    for out in header.get("outputs", []):
        size = (out.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            blobs[out["name"]] = resp.body[offset:offset + size]
            offset += size
    return header, blobs


_SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text: str) -> list[tuple[str, dict, float]]:
    """[(metric name, labels, value)] for every sample line of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line)
        if not match:
            continue
        labels = dict(_LABEL_RE.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def metric_value(samples, name: str, **labels) -> float | None:
    """Sum of the samples named `name` whose labels include `labels`; None if there are none."""
    values = [v for n, lab, v in samples if n == name and all(lab.get(k) == str(x) for k, x in labels.items())]
    return sum(values) if values else None
