"""A table of malformed and hostile requests, sent with plain http.client or raw sockets.

Every case names the expected status and words of which at least one must appear in the `error`
message (case-insensitive). Every error body must be JSON with a string "error". After the table,
the servers must still be healthy.
"""

from __future__ import annotations

import gzip
import json
import math
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
import pytest

from modelhost_testlib import binary_infer_body, raw_exchange, split_binary_response

pytestmark = pytest.mark.integration

MAX_BATCH = 4
ADD_SUB_FLAGS = ("--max-batch-size", str(MAX_BATCH))
ONES16 = [1.0] * 16


def inp(name="INPUT0", shape=(1, 16), datatype="FP32", data=None, **extra):
    tensor = {"name": name, "shape": list(shape), "datatype": datatype}
    if data is not None:
        tensor["data"] = data
    tensor.update(extra)
    return tensor


def add_sub_body(*inputs, **extra):
    body = {"inputs": list(inputs) or [inp("INPUT0", data=ONES16), inp("INPUT1", data=ONES16)]}
    body.update(extra)
    return body


def good_pair(**override0):
    first = inp("INPUT0", data=ONES16)
    first.update(override0)
    return [first, inp("INPUT1", data=ONES16)]


def binary_case(header_len_value: str | None, header: dict, blob: bytes):
    head = json.dumps(header).encode()
    headers = {"Content-Type": "application/octet-stream"}
    if header_len_value is not None:
        headers["Inference-Header-Content-Length"] = header_len_value.replace("{len}", str(len(head)))
    return head + blob, headers


def binary_header(size0=64, size1=64):
    return {"inputs": [inp("INPUT0", parameters={"binary_data_size": size0}),
                       inp("INPUT1", parameters={"binary_data_size": size1})]}


@dataclass
class Case:
    id: str
    status: int | tuple          # one status, or the statuses that are all acceptable
    needles: tuple = ()
    body: object = None          # bytes | str | dict | list
    headers: dict = field(default_factory=dict)
    path: str = "/v2/models/{m}/infer"
    method: str = "POST"
    model: str = "add_sub"
    raw: bytes | None = None     # sent as-is on a socket instead of http.client


def gzip_bomb() -> bytes:
    """A valid infer request padded with 65 MiB of spaces: ~65 KiB on the wire, over the limit decoded."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    head = json.dumps(add_sub_body())[:-1].encode()
    parts = [packer.compress(head)]
    spaces = b" " * (1 << 20)
    for _ in range(65):
        parts.append(packer.compress(spaces))
    parts.append(packer.compress(b"}"))
    parts.append(packer.flush())
    return b"".join(parts)


def chunked_request(chunks: list[bytes], path: str = "/v2/models/add_sub/infer") -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").encode() + body


DEEP = 10_000
ones_blob = np.ones(16, np.float32).tobytes()
bin_ok_body, bin_ok_headers = binary_case("{len}", binary_header(), ones_blob + ones_blob)

CASES = [
    # --- JSON syntax ---
    Case("malformed_json", 400, ("json", "parse", "syntax", "invalid"), "{inputs: [}"),
    Case("truncated_json", 400, ("json", "parse", "incomplete", "unexpected", "end"),
         json.dumps(add_sub_body())[:-7]),
    Case("trailing_garbage", 400, ("json", "parse", "trailing", "garbage", "extra"),
         json.dumps(add_sub_body()) + " xyz"),
    Case("nesting_10k_deep", 400, ("depth", "deep", "nest", "json", "INPUT0"),
         '{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":' + "[" * DEEP + "1" + "]" * DEEP
         + "}]}"),
    Case("invalid_utf8", 400, ("utf", "json", "encoding", "invalid"),
         b'{"id":"\xff\xfe","inputs":' + json.dumps(good_pair()).encode() + b"}"),
    Case("empty_body", 400, ("json", "empty", "body", "inputs")),
    Case("top_level_array", 400, ("object",), json.dumps([add_sub_body()])),
    Case("missing_inputs_key", 400, ("inputs",), {"outputs": [{"name": "OUTPUT0"}]}),
    Case("inputs_not_array", 400, ("inputs",), {"inputs": {"name": "INPUT0"}}),
    Case("id_not_string", 400, ("id",), add_sub_body(id=17)),
    Case("shape_not_array", 400, ("shape",), add_sub_body(*good_pair(shape="1,16"))),
    # --- tensors ---
    Case("wrong_datatype", 400, ("INT64", "FP32", "datatype"), add_sub_body(*good_pair(datatype="INT64", data=[1] * 16))),
    Case("unknown_datatype", 400, ("FLOAT128", "datatype"), add_sub_body(*good_pair(datatype="FLOAT128"))),
    Case("element_count_mismatch", 400, ("INPUT0",), add_sub_body(*good_pair(data=[1.0] * 15))),
    Case("negative_dim", 400, ("INPUT0", "shape", "negative"), add_sub_body(*good_pair(shape=[-1, 16]))),
    Case("overflowing_shape", 400, ("INPUT0", "shape", "overflow", "large"),
         add_sub_body(*good_pair(shape=[4294967296, 4294967296]))),
    Case("wrong_rank", 400, ("INPUT0",), add_sub_body(*good_pair(shape=[16]))),
    Case("wrong_fixed_dim", 400, ("INPUT0",), add_sub_body(*good_pair(shape=[2, 8]))),
    Case("wrong_fixed_dim_unbatched_model", 400, ("x",),
         {"inputs": [inp("x", shape=[3, 2], data=[1.0] * 6)]}, model="fixed_shape"),
    Case("unknown_input_name", 400, ("INPUT9",),
         add_sub_body(*good_pair(), inp("INPUT9", data=ONES16))),
    Case("missing_input", 400, ("INPUT1",), add_sub_body(inp("INPUT0", data=ONES16))),
    Case("duplicate_input", 400, ("INPUT0", "duplicate"),
         add_sub_body(*good_pair(), inp("INPUT0", data=ONES16))),
    Case("input_without_data", 400, ("INPUT0",), add_sub_body(inp("INPUT0"), inp("INPUT1", data=ONES16))),
    Case("data_and_binary_size", 400, ("INPUT0",),
         add_sub_body(*good_pair(parameters={"binary_data_size": 64}))),
    Case("unknown_requested_output", 400, ("OUTPUT9",),
         add_sub_body(outputs=[{"name": "OUTPUT9"}])),
    Case("fp16_in_json", 400, ("FP16", "binary"), add_sub_body(*good_pair(datatype="FP16"))),
    Case("bf16_in_json", 400, ("BF16", "binary"), add_sub_body(*good_pair(datatype="BF16"))),
    Case("string_elements", 400, ("INPUT0",), add_sub_body(*good_pair(data=["a"] * 16))),
    Case("nested_ragged_data", 400, ("INPUT0",), add_sub_body(*good_pair(data=[[1.0] * 8, [1.0] * 7]))),
    Case("float_for_int64", 400, ("a", "INT64"),
         {"inputs": [inp("a", shape=[1, 4], datatype="INT64", data=[1.5, 2, 3, 4])]}, model="int64_add"),
    Case("int64_out_of_range", 400, ("a", "INT64", "range"),
         {"inputs": [inp("a", shape=[1, 4], datatype="INT64", data=[2**70, 2, 3, 4])]}, model="int64_add"),
    Case("batch_above_max", 400, ("batch", "INPUT0"),
         add_sub_body(*[inp(n, shape=[MAX_BATCH + 1, 16], data=[1.0] * 16 * (MAX_BATCH + 1))
                        for n in ("INPUT0", "INPUT1")])),
    # --- binary tensor extension ---
    Case("binary_header_length_beyond_body", 400, ("inference-header-content-length", "header", "length"),
         *binary_case("100000", binary_header(), ones_blob + ones_blob)),
    Case("binary_header_length_non_numeric", 400, ("inference-header-content-length", "header", "length"),
         *binary_case("abc", binary_header(), ones_blob + ones_blob)),
    Case("binary_header_length_negative", 400, ("inference-header-content-length", "header", "length"),
         *binary_case("-5", binary_header(), ones_blob + ones_blob)),
    Case("binary_size_mismatches_shape", 400, ("INPUT0",),
         *binary_case("{len}", binary_header(size0=60), ones_blob[:60] + ones_blob)),
    Case("binary_data_beyond_body", 400, ("INPUT1", "binary", "body", "size"),
         *binary_case("{len}", binary_header(), ones_blob + ones_blob[:10])),
    # --- routing ---
    Case("unknown_model", 404, ("nope",), add_sub_body(), path="/v2/models/nope/infer"),
    Case("unknown_version", 404, ("7", "version"), add_sub_body(), path="/v2/models/{m}/versions/7/infer"),
    Case("non_numeric_version", 404, (), add_sub_body(), path="/v2/models/{m}/versions/latest/infer"),
    Case("unknown_model_metadata", 404, ("nope",), method="GET", path="/v2/models/nope"),
    Case("wrong_method_infer", 405, (), method="GET", path="/v2/models/{m}/infer"),
    Case("wrong_method_health", 405, (), method="DELETE", path="/v2/health/ready"),
    Case("unknown_path", 404, (), method="GET", path="/v2/nothing/here"),
    Case("path_traversal_model", (400, 404), (), method="GET", path="/v2/models/..%2F..%2Fetc%2Fpasswd"),
    # --- limits (raw sockets) ---
    Case("body_over_limit", 413, (), raw=(
        b"POST /v2/models/add_sub/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(65 * 1024 * 1024).encode() + b"\r\n\r\n{\"inputs\": [")),
    Case("oversized_header", 431, (), raw=(
        b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (20 * 1024) + b"\r\n\r\n")),
    Case("many_small_headers", 431, (), raw=(
        b"GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 40) for i in range(500)) + b"\r\n")),
    Case("gzip_bomb", 413, (), gzip_bomb(), {"Content-Encoding": "gzip"}),
    Case("corrupt_gzip", 400, ("gzip", "decod", "compress", "corrupt", "encoding"),
         b"\x1f\x8b\x08\x00garbage-not-deflate", {"Content-Encoding": "gzip"}),
    Case("unsupported_content_encoding", (400, 415), ("encoding", "br"),
         json.dumps(add_sub_body()), {"Content-Encoding": "br"}),
    Case("too_many_chunks", (400, 413), ("chunk",),
         raw=chunked_request([b" "] * 70_000 + [json.dumps(add_sub_body()).encode()])),
    Case("huge_chunk_size", (400, 413), (), raw=(
        b"POST /v2/models/add_sub/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"ffffffffffffffffff\r\nabc")),
    # --- Domino route ---
    Case("domino_missing_data", 400, ("data",), {"inputs": {}}, path="/models/{m}/latest/model"),
    Case("domino_ragged_array", 400, ("INPUT0", "ragged", "shape"),
         {"data": {"INPUT0": [[1.0] * 16, [1.0] * 3], "INPUT1": [[1.0] * 16] * 2}}, path="/models/{m}/latest/model"),
    Case("domino_unknown_input", 400, ("nope",),
         {"data": {"INPUT0": [ONES16], "INPUT1": [ONES16], "nope": [ONES16]}}, path="/models/{m}/latest/model"),
]


def server_for(server_pool, model):
    return server_pool.get(model, *ADD_SUB_FLAGS) if model == "add_sub" else server_pool.get(model)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(server_pool, case: Case):
    server = server_for(server_pool, case.model)
    if case.raw is not None:
        resp = raw_exchange(server.port, case.raw, timeout=5.0)
        assert resp is not None, "connection closed without a response"
        assert resp.elapsed_s < 5.0
    else:
        resp = server.request(case.method, case.path.format(m=case.model), case.body, case.headers, timeout=10)
    allowed = case.status if isinstance(case.status, tuple) else (case.status,)
    assert resp.status in allowed, f"got {resp.status}: {resp.body[:300]!r}"
    assert resp.header("content-type", "").startswith("application/json"), resp.headers
    body = json.loads(resp.body)
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    if case.needles:
        message = body["error"].lower()
        assert any(n.lower() in message for n in case.needles), f"none of {case.needles} in {body['error']!r}"


def test_good_requests_still_succeed(server_pool):
    """Controls for the table: the same shapes, done right, return 200."""
    server = server_for(server_pool, "add_sub")
    assert server.post("/v2/models/add_sub/infer", add_sub_body()).status == 200
    assert server.post("/v2/models/add_sub/versions/1/infer", add_sub_body()).status == 200
    resp = server.post("/v2/models/add_sub/infer", bin_ok_body, bin_ok_headers)
    assert resp.status == 200, resp.body
    header, blobs = split_binary_response(resp)
    assert [o["name"] for o in header["outputs"]] == ["OUTPUT0", "OUTPUT1"]
    nested = add_sub_body(*[inp(n, shape=[2, 16], data=[[1.0] * 16, [2.0] * 16]) for n in ("INPUT0", "INPUT1")])
    resp = server.post("/v2/models/add_sub/infer", nested)
    assert resp.status == 200, resp.body
    assert resp.json()["outputs"][0]["data"] == [2.0] * 16 + [4.0] * 16  # output data is flat
    extra = add_sub_body(id="x", model_name="add_sub", parameters={"content_type": "np", "priority": 1})
    assert server.post("/v2/models/add_sub/infer", extra).status == 200


def test_compressed_and_chunked_requests_succeed(server_pool):
    server = server_for(server_pool, "add_sub")
    raw = json.dumps(add_sub_body()).encode()
    for coding, data in (("gzip", gzip.compress(raw)), ("deflate", zlib.compress(raw))):
        resp = server.post("/v2/models/add_sub/infer", data, {"Content-Encoding": coding})
        assert resp.status == 200, (coding, resp.body)
        assert resp.json()["outputs"][0]["data"] == [2.0] * 16
    chunks = [raw[i:i + 7] for i in range(0, len(raw), 7)]
    resp = raw_exchange(server.port, chunked_request(chunks), timeout=10)
    assert resp is not None and resp.status == 200, resp
    assert json.loads(resp.body)["outputs"][0]["data"] == [2.0] * 16


def _has_flag(modelhost_bin, flag: str) -> bool:
    proc = subprocess.run([str(modelhost_bin), "run", "--help"], capture_output=True, text=True, timeout=10)
    return flag in proc.stdout + proc.stderr


@pytest.mark.slow
def test_body_limit_boundary(modelhost_bin, start_server):
    """A body of exactly the limit is read; one byte more is 413 (spaces keep the JSON valid)."""
    if _has_flag(modelhost_bin, "--max-body-mb"):
        server, limit = start_server("add_sub", "--max-body-mb", "1"), 1 << 20
    else:
        server, limit = start_server("add_sub"), 64 << 20
    core = json.dumps(add_sub_body()).encode()
    at_limit = core[:-1] + b" " * (limit - len(core)) + b"}"
    assert len(at_limit) == limit
    resp = server.post("/v2/models/add_sub/infer", at_limit, timeout=60)
    assert resp.status == 200, resp.body[:300]
    over = at_limit[:-1] + b" }"
    # The server may answer before the body is in and close: write raw, tolerate a broken pipe.
    resp = raw_exchange(server.port, b"POST /v2/models/add_sub/infer HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(over) + over, timeout=60)
    assert resp is not None, "no response to a body one byte over the limit"
    assert resp.status == 413, resp.body[:300]
    assert "error" in resp.json()
    assert server.get("/v2/health/ready").status == 200


def test_body_over_limit_is_answered_fast(server_pool):
    """413 arrives while the client still owes ~65 MiB: the server must not wait for the body."""
    server = server_for(server_pool, "add_sub")
    start = time.monotonic()
    resp = raw_exchange(server.port, CASES[[c.id for c in CASES].index("body_over_limit")].raw, timeout=3.0)
    assert resp is not None and resp.status == 413
    assert time.monotonic() - start < 3.0


def test_servers_still_healthy_after_table(server_pool):
    for model in sorted({c.model for c in CASES}):
        server = server_for(server_pool, model)
        assert server.running(), server.log()
        assert server.get("/v2/health/live").status == 200
        assert server.get("/v2/health/ready").status == 200
    server = server_for(server_pool, "add_sub")
    resp = server.post("/v2/models/add_sub/infer", add_sub_body())
    assert resp.status == 200 and resp.json()["outputs"][0]["data"] == [2.0] * 16


# --- NaN, infinities and negative zero -------------------------------------------------------------


def _strict_json(body: bytes):
    def reject(token):
        raise AssertionError(f"response is not strict JSON: bare {token}")
    return json.loads(body, parse_constant=reject)


def test_nan_inf_json_round_trip(server_pool):
    """Policy: JSON carries NaN and the infinities as the strings "NaN", "Infinity", "-Infinity"."""
    server = server_pool.get("identity_fp32")
    values = ["NaN", "Infinity", "-Infinity", -0.0, 0.0, 1.5, -2.25, 3.4028234663852886e38,
              1e-45, "NaN", 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    resp = server.post("/v2/models/identity_fp32/infer", {"inputs": [inp("INPUT0", data=values)]})
    assert resp.status == 200, resp.body
    out = _strict_json(resp.body)["outputs"][0]["data"]
    assert out[0] == "NaN" and out[9] == "NaN"
    assert out[1] == "Infinity" and out[2] == "-Infinity"
    assert out[3] == 0.0 and math.copysign(1.0, out[3]) == -1.0, f"-0.0 came back as {out[3]!r}"
    # Any decimal form that rounds to the same float32 is fine (e.g. the shortest, 3.4028235e+38).
    finite = [i for i, v in enumerate(values) if not isinstance(v, str)]
    got = np.array([out[i] for i in finite], np.float32)
    want = np.array([values[i] for i in finite], np.float32)
    assert got.tobytes() == want.tobytes(), (got, want)


def test_nan_inf_binary_round_trip_preserves_bits(server_pool):
    server = server_pool.get("identity_fp32")
    bits = [0x7FC00000, 0x7F800000, 0xFF800000, 0x80000000, 0x00000000, 0x00000001, 0x7F7FFFFF, 0xFFC00000,
            0x7FC00001, 0x3F800000, 0xBF800000, 0x00800000, 0x80800000, 0x7FFFFFFF, 0x12345678, 0x87654321]
    blob = struct.pack("<16I", *bits)
    body, headers = binary_infer_body(
        {"inputs": [inp("INPUT0", parameters={"binary_data_size": 64})],
         "outputs": [{"name": "OUTPUT0", "parameters": {"binary_data": True}}]}, [blob])
    resp = server.post("/v2/models/identity_fp32/infer", body, headers)
    assert resp.status == 200, resp.body
    header, blobs = split_binary_response(resp)
    assert header["outputs"][0]["parameters"]["binary_data_size"] == 64
    assert struct.unpack("<16I", blobs["OUTPUT0"]) == tuple(bits)


def test_nan_binary_in_json_out(server_pool):
    server = server_pool.get("identity_fp32")
    vals = np.array([np.nan, np.inf, -np.inf, -0.0] + [1.0] * 12, np.float32)
    body, headers = binary_infer_body({"inputs": [inp("INPUT0", parameters={"binary_data_size": 64})],
                                       "outputs": [{"name": "OUTPUT0", "parameters": {"binary_data": False}}]},
                                      [vals.tobytes()])
    resp = server.post("/v2/models/identity_fp32/infer", body, headers)
    assert resp.status == 200, resp.body
    out = _strict_json(resp.body)["outputs"][0]
    assert "parameters" not in out or "binary_data_size" in out["parameters"]
    assert out["data"][:3] == ["NaN", "Infinity", "-Infinity"]
    assert math.copysign(1.0, out["data"][3]) == -1.0
