"""Process lifecycle and connection handling: drain on SIGTERM, backpressure, metrics,
keep-alive, Expect: 100-continue and slow clients."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import threading
import time

import pytest

from modelhost_testlib import HOST, metric_value, parse_prometheus, read_response

pytestmark = pytest.mark.integration

CURL = "/usr/bin/curl"


def identity_body(value: float = 1.0, batch: int = 1) -> dict:
    return {"inputs": [{"name": "INPUT0", "shape": [batch, 16], "datatype": "FP32",
                        "data": [value + i for i in range(batch * 16)]}]}


def post_identity(port: int, value: float, timeout: float = 30.0):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", "/v2/models/identity_fp32/infer", json.dumps(identity_body(value)))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_sigterm_drains_inflight_requests(start_server):
    # The batch never fills (8 < 16), so the requests wait the full 300 ms in the queue.
    server = start_server("identity_fp32", "--max-batch-size", "16", "--batch-delay-us", "300000")
    port = server.port
    results, errors = {}, []

    def send(i):
        try:
            results[i] = post_identity(port, float(i * 100))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"request {i}: {exc!r}")

    senders = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in senders:
        t.start()
    time.sleep(0.1)  # all 8 are on the wire and queued; the batch deadline is ~200 ms away

    ready_statuses, stop_polling = [], threading.Event()

    def poll_ready():
        while not stop_polling.is_set():
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/v2/health/ready")
                ready_statuses.append(conn.getresponse().status)
                conn.close()
            except OSError:
                ready_statuses.append(None)
            time.sleep(0.005)

    signalled_at = time.monotonic()
    server.signal(signal.SIGTERM)
    poller = threading.Thread(target=poll_ready)
    poller.start()
    try:
        rc = server.wait(timeout=30)
    finally:
        stop_polling.set()
        poller.join(timeout=5)
    drain_s = time.monotonic() - signalled_at
    for t in senders:
        t.join(timeout=30)

    assert rc == 0, f"exit code {rc} after SIGTERM\n{server.log()}"
    assert drain_s < 30
    assert not errors, errors
    for i in range(8):
        status, _, body = results[i]
        assert status == 200, body
        assert json.loads(body)["outputs"][0]["data"] == [i * 100.0 + k for k in range(16)]
    answered = [s for s in ready_statuses if s is not None]
    assert any(s != 200 for s in answered), (
        f"readiness was never observed false during the drain (statuses: {ready_statuses[:20]})")


def test_sigterm_idle_server_exits_zero_quickly(start_server):
    server = start_server("identity_fp32")
    start = time.monotonic()
    server.signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    assert time.monotonic() - start < 5


@pytest.mark.slow
def test_queue_full_returns_503_with_retry_after(start_server):
    server = start_server("identity_fp32", "--max-queue-size", "2", "--max-batch-size", "16",
                          "--batch-delay-us", "500000")
    n = 24
    request = (f"POST /v2/models/identity_fp32/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {{len}}\r\n\r\n")
    saw_503 = False
    for _attempt in range(3):
        socks = [socket.create_connection((HOST, server.port), timeout=30) for _ in range(n)]
        payloads = []
        for i in range(n):
            body = json.dumps(identity_body(float(i))).encode()
            payloads.append(request.replace("{len}", str(len(body))).encode() + body)
        responses = [None] * n
        barrier = threading.Barrier(n)

        def fire(i):
            barrier.wait(timeout=10)
            socks[i].sendall(payloads[i])
            responses[i] = read_response(socks[i], time.monotonic(), 30)

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        for s in socks:
            s.close()
        assert all(r is not None for r in responses), "a request got no response"
        statuses = [r.status for r in responses]
        assert set(statuses) <= {200, 503}, statuses
        for i, r in enumerate(responses):
            if r.status == 200:
                assert json.loads(r.body)["outputs"][0]["data"] == [float(i) + k for k in range(16)]
            else:
                saw_503 = True
                assert r.header("retry-after") is not None and r.header("retry-after").strip().isdigit(), r.headers
                assert "error" in json.loads(r.body)
        if saw_503:
            break
    assert saw_503, "no request was rejected with 503 although the queue holds 2"
    status, _, _ = post_identity(server.port, 1.0)
    assert status == 200


def test_metrics_exposition(start_server):
    server = start_server("identity_fp32")
    assert post_identity(server.port, 1.0)[0] == 200
    bad = server.post("/v2/models/identity_fp32/infer", {"inputs": []})
    assert bad.status == 400
    resp = server.get("/metrics")
    assert resp.status == 200
    assert resp.header("content-type", "").startswith("text/plain")
    text = resp.body.decode()
    samples = parse_prometheus(text)
    names = {n for n, _, _ in samples}

    requests = [(lab, v) for n, lab, v in samples if n == "modelhost_requests_total"]
    assert requests, "modelhost_requests_total missing"
    assert all(lab.get("model") == "identity_fp32" and "outcome" in lab for lab, _ in requests), requests
    assert sum(v for _, v in requests) >= 2
    assert len({lab["outcome"] for lab, _ in requests}) >= 2, f"success and failure share an outcome: {requests}"

    phases = {lab.get("phase") for n, lab, _ in samples if n == "modelhost_request_duration_seconds_bucket"}
    separate = {"modelhost_queue_duration_seconds_bucket", "modelhost_compute_duration_seconds_bucket",
                "modelhost_request_duration_seconds_bucket"}
    assert {"queue", "compute", "total"} <= phases or separate <= names, sorted(names)
    for n, lab, _ in samples:
        if n.startswith("modelhost_") and n.endswith("_bucket"):
            assert lab.get("model") == "identity_fp32" and "le" in lab, (n, lab)
    assert metric_value(samples, "modelhost_request_duration_seconds_count", model="identity_fp32") >= 1
    assert metric_value(samples, "modelhost_batch_size_count", model="identity_fp32") >= 1
    assert "modelhost_inflight_requests" in names
    rss = metric_value(samples, "process_resident_memory_bytes")
    assert rss is not None and rss > 1_000_000
    assert "# TYPE modelhost_batch_size histogram" in text


def test_keep_alive_many_requests_one_connection(server_pool):
    server = server_pool.get("identity_fp32")
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.connect()
        first_sock = conn.sock
        for i in range(200):
            path, body = (("/v2/health/ready", None) if i % 5 == 4 else
                          ("/v2/models/identity_fp32/infer", json.dumps(identity_body(float(i)))))
            conn.request("POST" if body else "GET", path, body)
            resp = conn.getresponse()
            payload = resp.read()
            assert resp.status == 200, payload
            assert not resp.will_close, f"server closed the connection after request {i}"
            assert conn.sock is first_sock
        # An error response must not cost the connection either.
        conn.request("POST", "/v2/models/identity_fp32/infer", "{broken")
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 400
        conn.request("GET", "/v2/health/live")
        assert conn.getresponse().status == 200
        assert conn.sock is first_sock
    finally:
        conn.close()


def test_expect_100_continue_with_curl(server_pool, tmp_path):
    server = server_pool.get("identity_fp32")
    body = json.dumps(identity_body(5.0))
    body_file = tmp_path / "body.json"
    body_file.write_text(body + " " * (256 * 1024))  # whitespace keeps it valid JSON
    start = time.monotonic()
    proc = subprocess.run(
        [CURL, "-sv", "--expect100-timeout", "10", "-H", "Expect: 100-continue", "-X", "POST",
         "--data-binary", f"@{body_file}", "-o", str(tmp_path / "out.json"), "-w", "%{http_code}",
         f"http://{server.url}/v2/models/identity_fp32/infer"],
        capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "200", proc.stderr[-2000:]
    assert "100 Continue" in proc.stderr, "server never sent 100 Continue"
    assert elapsed < 5
    assert json.loads((tmp_path / "out.json").read_text())["outputs"][0]["data"][0] == 5.0


def test_request_without_content_type(server_pool):
    server = server_pool.get("identity_fp32")
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.putrequest("POST", "/v2/models/identity_fp32/infer", skip_accept_encoding=True)
        body = json.dumps(identity_body()).encode()
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def _help_text(modelhost_bin) -> str:
    proc = subprocess.run([str(modelhost_bin), "run", "--help"], capture_output=True, text=True, timeout=10)
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_slow_header_client_times_out(modelhost_bin, start_server):
    if "--header-timeout-ms" not in _help_text(modelhost_bin):
        pytest.skip("modelhost run has no --header-timeout-ms flag; the 10 s default is too slow to test")
    server = start_server("identity_fp32", "--header-timeout-ms", "500")
    with socket.create_connection((HOST, server.port), timeout=10) as slow:
        slow.sendall(b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        start = time.monotonic()
        # Another client is served normally while the slow one stalls.
        assert server.get("/v2/health/live", timeout=5).status == 200
        resp = read_response(slow, start, timeout=8)
        elapsed = time.monotonic() - start
        if resp is not None:
            assert resp.status == 408, resp.status
        else:  # a plain close is allowed too; it must come from the server, not our timeout
            assert elapsed < 7.5, "the server never closed the stalled connection"
        assert elapsed < 5, f"stalled header held for {elapsed:.1f}s with a 500 ms timeout"
    assert server.get("/v2/health/ready").status == 200
