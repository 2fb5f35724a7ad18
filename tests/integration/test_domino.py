"""The Domino-style route: POST /models/{m}/latest/model with {"data": {input: array}}."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.integration


def domino(server, model, payload, **kwargs):
    return server.post(f"/models/{model}/latest/model", payload, **kwargs)


def ort_run(models_dir, model, feed):
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(models_dir / f"{model}.onnx"), providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))


def test_batch_of_examples(server_pool, models_dir):
    server = server_pool.get("mlp")
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    resp = domino(server, "mlp", {"data": {"x": x.tolist()}})
    assert resp.status == 200, resp.body
    assert resp.header("content-type", "").startswith("application/json")
    body = resp.json()
    assert set(body) >= {"result", "model_time_in_ms", "request_id", "release"}
    assert body["release"]["model_version"] == "1"
    assert isinstance(body["model_time_in_ms"], (int, float)) and body["model_time_in_ms"] >= 0
    assert isinstance(body["request_id"], str) and body["request_id"]
    probs = np.asarray(body["result"]["probs"], dtype=np.float32)
    assert probs.shape == (3, 3)
    np.testing.assert_allclose(probs, ort_run(models_dir, "mlp", {"x": x})["probs"], rtol=1e-5, atol=1e-6)


def test_single_example_without_batch_dim(server_pool, models_dir):
    server = server_pool.get("mlp")
    x = [0.5, -1.0, 2.0, 0.25]
    resp = domino(server, "mlp", {"data": {"x": x}})
    assert resp.status == 200, resp.body
    probs = resp.json()["result"]["probs"]
    assert len(probs) == 3 and all(isinstance(p, (int, float)) for p in probs), probs
    expected = ort_run(models_dir, "mlp", {"x": np.asarray([x], np.float32)})["probs"][0]
    np.testing.assert_allclose(probs, expected, rtol=1e-5, atol=1e-6)


def test_two_inputs_two_outputs(server_pool):
    server = server_pool.get("add_sub")
    a = np.arange(32, dtype=np.float32).reshape(2, 16)
    b = np.full((2, 16), 0.5, np.float32)
    resp = domino(server, "add_sub", {"data": {"INPUT0": a.tolist(), "INPUT1": b.tolist()}})
    assert resp.status == 200, resp.body
    result = resp.json()["result"]
    np.testing.assert_array_equal(np.asarray(result["OUTPUT0"], np.float32), a + b)
    np.testing.assert_array_equal(np.asarray(result["OUTPUT1"], np.float32), a - b)


def test_int64(server_pool):
    server = server_pool.get("int64_add")
    resp = domino(server, "int64_add", {"data": {"a": [[10, 20, 30, 2**40]]}})
    assert resp.status == 200, resp.body
    assert resp.json()["result"]["out"] == [[11, 22, 33, 2**40 + 4]]


def test_fixed_shape_model(server_pool):
    server = server_pool.get("fixed_shape")
    resp = domino(server, "fixed_shape", {"data": {"x": [[1, 2, 3], [4, 5, 6]]}})
    assert resp.status == 200, resp.body
    assert resp.json()["result"]["y"] == [[1, 4], [2, 5], [3, 6]]


def test_demo_model_named_route(start_server):
    server = start_server("demo", name="demo")
    resp = domino(server, "demo", {"data": {"features": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}})
    assert resp.status == 200, resp.body
    probs = np.asarray(resp.json()["result"]["probabilities"])
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0], rtol=1e-5)


def test_request_ids_are_unique(server_pool):
    server = server_pool.get("mlp")
    ids = set()
    for _ in range(20):
        resp = domino(server, "mlp", {"data": {"x": [[1, 2, 3, 4]]}})
        assert resp.status == 200
        ids.add(resp.json()["request_id"])
    assert len(ids) == 20


@pytest.mark.parametrize("path,method,payload,status,needle", [
    ("/models/nope/latest/model", "POST", {"data": {"x": [[1, 2, 3, 4]]}}, 404, "nope"),
    ("/models/mlp/latest/model", "GET", None, 405, ""),
    ("/models/mlp/latest/model", "POST", {"x": [[1, 2, 3, 4]]}, 400, "data"),
    ("/models/mlp/latest/model", "POST", {"data": 5}, 400, "x"),
    ("/models/mlp/latest/model", "POST", {"data": {"x": [[1, 2, 3, 4], [1, 2]]}}, 400, "x"),
    ("/models/mlp/latest/model", "POST", {"data": {"y": [[1, 2, 3, 4]]}}, 400, "y"),
    ("/models/mlp/latest/model", "POST", {"data": {}}, 400, "x"),
    ("/models/mlp/latest/model", "POST", {"data": {"x": [[1, 2, 3]]}}, 400, "x"),
    ("/models/mlp/latest/model", "POST", {"data": {"x": [["a", "b", "c", "d"]]}}, 400, "x"),
    ("/models/mlp/latest/model", "POST", "{\"data\": ", 400, ""),
], ids=["unknown_model", "get", "missing_data", "data_scalar", "ragged", "unknown_input",
        "missing_input", "wrong_width", "strings", "truncated_json"])
def test_errors(server_pool, path, method, payload, status, needle):
    server = server_pool.get("mlp")
    resp = server.request(method, path, payload)
    assert resp.status == status, resp.body
    body = resp.json()
    assert isinstance(body.get("error"), str) and body["error"]
    assert needle in body["error"], body
