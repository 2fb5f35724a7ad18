#!/usr/bin/env python3
"""A load generator for `modelhost run`: Open Inference Protocol infer requests with the binary
tensor data extension, from several threads, each on its own keep-alive connection (standard
library only; bench/gpu/run.py starts one or more of these processes).

  oip_client.py --port P --model NAME --batch B [--seq S] [--threads T] [--t0 MONO]
                [--warmup-s W] [--duration-s D] --out FILE.json

The model's metadata (GET /v2/models/NAME) gives the inputs; each input gets its shape with the
open leading dim set to --batch and other open dims to --seq, filled as `modelhost perf` fills
them: floats uniform in [0, 1), token ids in [0, 100), masks 1, token type ids 0. The request is
built once: a JSON header padded with spaces to a multiple of 64 bytes (so the tensor bytes that
follow stay aligned for the server to view in place), then the raw little-endian tensor bytes,
with Inference-Header-Content-Length; every output is asked for as binary. Each response is
checked: status 200 and binary output sizes that add up to the body.

Timing: requests run from --t0 (a time.monotonic() value, shared by the processes the parent
starts; default now) until t0 + warmup + duration; a request counts when it completes inside
[t0 + warmup, t0 + warmup + duration]; one still unanswered 5 s after that is abandoned. The
output file holds the counted latencies, the count, errors and the process's CPU time (to tell a
saturated client from a saturated server).
"""

from __future__ import annotations

import argparse
import array
import json
import os
import random
import socket
import sys
import threading
import time

DTYPES = {"FP32": "f", "FP64": "d", "INT64": "q", "INT32": "i", "INT16": "h", "INT8": "b",
          "UINT8": "B", "UINT16": "H", "UINT32": "I", "UINT64": "Q"}


def http_get_json(host, port, path, timeout=10.0):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
                  .encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


def tensor_bytes(name, datatype, shape, rng):
    n = 1
    for d in shape:
        n *= d
    code = DTYPES.get(datatype)
    if code is None:
        raise ValueError(f"input {name}: datatype {datatype} is not supported by this client")
    lname = name.lower()
    if datatype in ("FP32", "FP64"):
        # One row of random values repeated: cheap to build for 19 MB of images.
        row = shape[-1] if shape else 1
        block = 1
        for d in shape[1:]:
            block *= d
        block = max(1, min(n, block or row))
        one = array.array(code, (rng.random() for _ in range(block)))
        data = one.tobytes() * (n // block) + array.array(code, one[: n % block]).tobytes()
    elif "mask" in lname:
        data = array.array(code, [1]).tobytes() * n
    elif "token_type" in lname or "segment" in lname:
        data = array.array(code, [0]).tobytes() * n
    elif "position" in lname:
        last = shape[-1] if shape else 1
        data = array.array(code, [i % last for i in range(n)]).tobytes()
    else:
        data = array.array(code, (rng.randrange(100) for _ in range(n))).tobytes()
    if sys.byteorder != "little":
        a = array.array(code)
        a.frombytes(data)
        a.byteswap()
        data = a.tobytes()
    return data


def build_request(meta, batch, seq, host, port, model):
    rng = random.Random(42)
    inputs, blobs = [], []
    for inp in meta["inputs"]:
        shape = list(inp["shape"])
        for i, d in enumerate(shape):
            if d < 0:
                shape[i] = batch if i == 0 else seq
        blob = tensor_bytes(inp["name"], inp["datatype"], shape, rng)
        blobs.append(blob)
        inputs.append({"name": inp["name"], "shape": shape, "datatype": inp["datatype"],
                       "parameters": {"binary_data_size": len(blob)}})
    outputs = [{"name": o["name"], "parameters": {"binary_data": True}} for o in meta["outputs"]]
    header = json.dumps({"model_name": model, "inputs": inputs, "outputs": outputs},
                        separators=(",", ":")).encode()
    header += b" " * (-len(header) % 64)
    body = header + b"".join(blobs)
    http_head = (f"POST /v2/models/{model}/infer HTTP/1.1\r\nHost: {host}:{port}\r\n"
                 f"Content-Type: application/octet-stream\r\n"
                 f"Inference-Header-Content-Length: {len(header)}\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n").encode()
    return http_head + body, len(body)


class Conn:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def roundtrip(self, request: bytes):
        self.sock.sendall(request)
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[: end + 4]
        lines = head.split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise RuntimeError(f"HTTP {status} without Content-Length: {head[:200]}")
        length = int(headers["content-length"])
        # Straight into the body's buffer: a 12 MB response is copied once, not three times.
        body = bytearray(length)
        have = min(len(self.buf), length)
        body[:have] = self.buf[:have]
        del self.buf[:have]
        view = memoryview(body)
        while have < length:
            n = self.sock.recv_into(view[have:], length - have)
            if n == 0:
                raise ConnectionError("the server closed the connection mid-body")
            have += n
        return status, headers, body


def check_response(status, headers, body):
    if status != 200:
        return f"HTTP {status}: {bytes(body[:300]).decode('utf-8', 'replace')}"
    hl = headers.get("inference-header-content-length")
    if hl is None:
        return "no Inference-Header-Content-Length in the response (outputs not binary)"
    hl = int(hl)
    doc = json.loads(body[:hl])
    total = sum(o.get("parameters", {}).get("binary_data_size", 0) for o in doc.get("outputs", []))
    if total != len(body) - hl:
        return f"binary outputs declare {total} bytes, the body has {len(body) - hl}"
    return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--t0", type=float, default=None)
    ap.add_argument("--warmup-s", type=float, default=2.0)
    ap.add_argument("--duration-s", type=float, default=8.0)
    ap.add_argument("--timeout-s", type=float, default=120.0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    result = {"threads": args.threads, "batch": args.batch, "latencies_ms": [], "completed": 0,
              "errors": 0, "first_error": None, "all_requests": 0}
    try:
        meta = http_get_json(args.host, args.port, f"/v2/models/{args.model}")
        request, body_bytes = build_request(meta, args.batch, args.seq, args.host, args.port,
                                            args.model)
        result["request_body_bytes"] = body_bytes
    except Exception as exc:  # noqa: BLE001
        result["first_error"] = f"setup: {type(exc).__name__}: {exc}"
        result["errors"] = 1
        with open(args.out, "w") as f:
            json.dump(result, f)
        return 1

    t0 = args.t0 if args.t0 is not None else time.monotonic()
    win_start = t0 + args.warmup_s
    win_end = win_start + args.duration_s
    lock = threading.Lock()
    response_bytes = []

    def record(latency_ms=None, err=None):
        """Per request, so that a thread still waiting when the window closes loses nothing."""
        with lock:
            result["all_requests"] += 1
            if err:
                result["errors"] += 1
                result["first_error"] = result["first_error"] or err
            elif latency_ms is not None:
                result["latencies_ms"].append(latency_ms)
                result["completed"] += 1

    def worker():
        try:
            conn = Conn(args.host, args.port, args.timeout_s)
        except Exception as exc:  # noqa: BLE001
            record(err=f"connect: {exc}")
            return
        delay = t0 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        while time.monotonic() < win_end:
            start = time.monotonic()
            try:
                status, headers, body = conn.roundtrip(request)
                err = check_response(status, headers, body)
                if not response_bytes:
                    response_bytes.append(len(body))
            except Exception as exc:  # noqa: BLE001
                err = f"{type(exc).__name__}: {exc}"
                try:
                    conn.sock.close()
                    conn = Conn(args.host, args.port, args.timeout_s)
                except Exception:  # noqa: BLE001
                    pass
            done = time.monotonic()
            if err:
                record(err=err)
                time.sleep(0.05)  # a server that fell over: do not spin
            elif win_start <= done <= win_end:
                record(latency_ms=(done - start) * 1000.0)
            else:
                record()
        conn.sock.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    # Requests still in flight when the window closes do not count: give them a few seconds,
    # then write what was counted (the threads are daemons).
    for t in threads:
        t.join(timeout=max(0.1, win_end + 5.0 - time.monotonic()))
    times = os.times()
    with lock:
        snapshot = dict(result, latencies_ms=list(result["latencies_ms"]))
    snapshot["unfinished_threads"] = sum(t.is_alive() for t in threads)
    snapshot["cpu_s"] = round(times.user + times.system, 3)
    snapshot["wall_s"] = round(time.monotonic() - t0, 3)
    snapshot["window_s"] = args.duration_s
    snapshot["response_body_bytes"] = response_bytes[0] if response_bytes else None
    with open(args.out, "w") as f:
        json.dump(snapshot, f)
    return 0 if snapshot["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
