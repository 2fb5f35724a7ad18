"""Open Inference Protocol conformance through NVIDIA's own Python client (tritonclient.http)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

tritonhttp = pytest.importorskip("tritonclient.http")
from tritonclient.utils import InferenceServerException  # noqa: E402

from modelhost_testlib import metric_value, parse_prometheus  # noqa: E402

pytestmark = pytest.mark.integration


def client_for(server, **kwargs):
    return tritonhttp.InferenceServerClient(server.url, network_timeout=30.0, **kwargs)


@pytest.fixture(scope="module")
def add_sub(server_pool):
    return server_pool.get("add_sub")


def infer_add_sub(client, a, b, in_binary=True, out_binary=True):
    inputs = [tritonhttp.InferInput("INPUT0", list(a.shape), "FP32"),
              tritonhttp.InferInput("INPUT1", list(b.shape), "FP32")]
    inputs[0].set_data_from_numpy(a, binary_data=in_binary)
    inputs[1].set_data_from_numpy(b, binary_data=in_binary)
    outputs = [tritonhttp.InferRequestedOutput("OUTPUT0", binary_data=out_binary),
               tritonhttp.InferRequestedOutput("OUTPUT1", binary_data=out_binary)]
    result = client.infer("add_sub", inputs, outputs=outputs)
    return result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")


def test_health(add_sub):
    client = client_for(add_sub)
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("add_sub")
    assert client.is_model_ready("add_sub", "1")
    assert not client.is_model_ready("no_such_model")


def test_health_bodies(add_sub):
    # The KServe SDK reads these bodies; Triton's empty body breaks it.
    assert add_sub.get("/v2/health/live").json() == {"live": True}
    assert add_sub.get("/v2/health/ready").json() == {"ready": True}


def test_server_metadata(add_sub):
    meta = client_for(add_sub).get_server_metadata()
    assert isinstance(meta["name"], str) and meta["name"]
    assert isinstance(meta["version"], str)
    for ext in ("binary_tensor_data", "model_configuration", "statistics"):
        assert ext in meta["extensions"], meta


def test_model_metadata_has_batch_dim(add_sub):
    meta = client_for(add_sub).get_model_metadata("add_sub")
    assert meta["name"] == "add_sub"
    assert "1" in meta["versions"]
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["inputs"]] == [
        ("INPUT0", "FP32", [-1, 16]), ("INPUT1", "FP32", [-1, 16])]
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["outputs"]] == [
        ("OUTPUT0", "FP32", [-1, 16]), ("OUTPUT1", "FP32", [-1, 16])]
    assert client_for(add_sub).get_model_metadata("add_sub", "1")["name"] == "add_sub"


def test_model_config_default_batching(add_sub):
    config = client_for(add_sub).get_model_config("add_sub")
    assert int(config["max_batch_size"]) == 8
    assert [i["name"] for i in config.get("input", [])] in ([], ["INPUT0", "INPUT1"])


def test_model_config_explicit_max_batch(server_pool):
    server = server_pool.get("identity_fp32", "--max-batch-size", "4")
    assert int(client_for(server).get_model_config("identity_fp32")["max_batch_size"]) == 4


def test_fixed_shape_model_is_not_batched(server_pool):
    server = server_pool.get("fixed_shape")
    client = client_for(server)
    assert int(client.get_model_config("fixed_shape").get("max_batch_size", 0)) == 0
    meta = client.get_model_metadata("fixed_shape")
    assert meta["inputs"][0]["shape"] == [2, 3]
    assert meta["outputs"][0]["shape"] == [3, 2]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    inp = tritonhttp.InferInput("x", [2, 3], "FP32")
    inp.set_data_from_numpy(x)
    result = client.infer("fixed_shape", [inp])
    np.testing.assert_array_equal(result.as_numpy("y"), x.T)


@pytest.mark.parametrize("in_binary", [False, True], ids=["json_in", "binary_in"])
@pytest.mark.parametrize("out_binary", [False, True], ids=["json_out", "binary_out"])
def test_add_sub(add_sub, in_binary, out_binary):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((3, 16)).astype(np.float32)
    b = rng.standard_normal((3, 16)).astype(np.float32)
    out0, out1 = infer_add_sub(client_for(add_sub), a, b, in_binary, out_binary)
    assert out0.dtype == np.float32 and out0.shape == (3, 16)
    np.testing.assert_array_equal(out0, a + b)
    np.testing.assert_array_equal(out1, a - b)


def test_all_outputs_when_none_requested(add_sub):
    a = np.ones((1, 16), np.float32)
    inputs = [tritonhttp.InferInput("INPUT0", [1, 16], "FP32"), tritonhttp.InferInput("INPUT1", [1, 16], "FP32")]
    for inp in inputs:
        inp.set_data_from_numpy(a)
    result = client_for(add_sub).infer("add_sub", inputs, request_id="req-42")
    np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), a + a)
    np.testing.assert_array_equal(result.as_numpy("OUTPUT1"), a - a)
    response = result.get_response()
    assert response["model_name"] == "add_sub"
    assert response["model_version"] == "1"
    assert response.get("id") == "req-42"


def test_only_requested_output(add_sub):
    a = np.full((2, 16), 3, np.float32)
    inputs = [tritonhttp.InferInput("INPUT0", [2, 16], "FP32"), tritonhttp.InferInput("INPUT1", [2, 16], "FP32")]
    for inp in inputs:
        inp.set_data_from_numpy(a)
    result = client_for(add_sub).infer("add_sub", inputs,
                                       outputs=[tritonhttp.InferRequestedOutput("OUTPUT1")])
    assert [o["name"] for o in result.get_response()["outputs"]] == ["OUTPUT1"]
    assert result.as_numpy("OUTPUT0") is None


@pytest.mark.parametrize("binary", [False, True], ids=["json", "binary"])
def test_int64_add(server_pool, binary):
    server = server_pool.get("int64_add")
    a = np.array([[1, -2, 3, 2**40], [0, 0, 0, -(2**50)]], dtype=np.int64)
    inp = tritonhttp.InferInput("a", list(a.shape), "INT64")
    inp.set_data_from_numpy(a, binary_data=binary)
    result = client_for(server).infer("int64_add", [inp],
                                      outputs=[tritonhttp.InferRequestedOutput("out", binary_data=binary)])
    out = result.as_numpy("out")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, a + np.array([1, 2, 3, 4], dtype=np.int64))


@pytest.mark.parametrize("batch", [1, 5])
def test_mlp_matches_onnxruntime(server_pool, models_dir, batch):
    ort = pytest.importorskip("onnxruntime")
    server = server_pool.get("mlp")
    x = np.random.default_rng(batch).standard_normal((batch, 4)).astype(np.float32)
    expected = ort.InferenceSession(str(models_dir / "mlp.onnx"),
                                    providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    inp = tritonhttp.InferInput("x", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    got = client_for(server).infer("mlp", [inp]).as_numpy("probs")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), np.ones(batch), rtol=1e-5)


def test_infer_error_is_exception(add_sub):
    inp = tritonhttp.InferInput("NOPE", [1, 16], "FP32")
    inp.set_data_from_numpy(np.zeros((1, 16), np.float32))
    with pytest.raises(InferenceServerException) as info:
        client_for(add_sub).infer("add_sub", [inp])
    assert "NOPE" in str(info.value)


def _stats_entry(client, model):
    stats = client.get_inference_statistics(model)
    entries = [s for s in stats["model_stats"] if s["name"] == model]
    assert entries, stats
    return entries[0]


def test_inference_statistics_grow(server_pool):
    server = server_pool.get("identity_fp32")
    client = client_for(server)
    before = _stats_entry(client, "identity_fp32")
    # The schema perf_analyzer indexes without checks.
    assert before["version"] == "1"
    for key in ("inference_count", "execution_count", "last_inference"):
        assert key in before
    for key in ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output",
                "cache_hit", "cache_miss"):
        assert {"count", "ns"} <= set(before["inference_stats"][key]), key
    x = np.ones((1, 16), np.float32)
    for _ in range(5):
        inp = tritonhttp.InferInput("INPUT0", [1, 16], "FP32")
        inp.set_data_from_numpy(x)
        client.infer("identity_fp32", [inp])
    after = _stats_entry(client, "identity_fp32")
    assert int(after["inference_count"]) >= int(before["inference_count"]) + 5
    assert int(after["execution_count"]) > int(before["execution_count"])
    for key in ("success", "queue", "compute_infer"):
        assert int(after["inference_stats"][key]["count"]) >= int(before["inference_stats"][key]["count"]) + 5, key
        assert int(after["inference_stats"][key]["ns"]) > int(before["inference_stats"][key]["ns"]), key
    assert int(after["last_inference"]) > 0
    # The all-models form lists the model too.
    assert any(s["name"] == "identity_fp32" for s in client.get_inference_statistics()["model_stats"])


@pytest.mark.slow
def test_concurrent_clients_are_batched_correctly(start_server):
    """64 clients at once: batched results equal one-by-one results and numpy; batches > 1 happen."""
    server = start_server("add_sub", "--max-batch-size", "8", "--batch-delay-us", "2000")
    n_clients, n_requests = 64, 4
    rng = np.random.default_rng(2024)
    data = [[(rng.standard_normal((1 + (c + r) % 2, 16)).astype(np.float32),
              rng.standard_normal((1 + (c + r) % 2, 16)).astype(np.float32))
             for r in range(n_requests)] for c in range(n_clients)]
    results = [[None] * n_requests for _ in range(n_clients)]
    errors = []
    barrier = threading.Barrier(n_clients)

    def run(c):
        try:
            client = client_for(server)
            barrier.wait(timeout=30)
            for r, (a, b) in enumerate(data[c]):
                results[c][r] = infer_add_sub(client, a, b, in_binary=(c % 2 == 0), out_binary=(r % 2 == 0))
            client.close()
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"client {c}: {exc!r}")

    threads = [threading.Thread(target=run, args=(c,)) for c in range(n_clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:5]

    metrics = parse_prometheus(server.get("/metrics").body.decode())
    count = metric_value(metrics, "modelhost_batch_size_count", model="add_sub")
    total = metric_value(metrics, "modelhost_batch_size_sum", model="add_sub")
    assert count and total, "modelhost_batch_size histogram missing or empty"
    assert total > count, f"no batch larger than 1 was formed (sum={total}, count={count})"

    stats = _stats_entry(client_for(server), "add_sub")
    assert int(stats["execution_count"]) < int(stats["inference_count"])

    sequential = client_for(server)
    for c in range(n_clients):
        for r, (a, b) in enumerate(data[c]):
            out0, out1 = results[c][r]
            np.testing.assert_array_equal(out0, a + b)
            np.testing.assert_array_equal(out1, a - b)
            if r == 0:  # one-by-one (no concurrency, so no batching) must give the same bytes
                alone0, alone1 = infer_add_sub(sequential, a, b)
                assert alone0.tobytes() == out0.tobytes() and alone1.tobytes() == out1.tobytes()
