"""Real models (scripts/fixtures) served by `modelhost run`, compared with onnxruntime.

For every fixture: the server must load it and publish its signature, and for every case the
outputs received through tritonclient (binary tensors) must match onnxruntime on the same inputs:
max |modelhost - onnxruntime| <= 1e-4 * max(1, max |onnxruntime|), per output.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model_cases import (CONCURRENT_CASE, CONCURRENT_CLIENTS, KIND, MODEL_ORDER, RESULTS, Case,
                         cases_for, known_gap, make_inputs)

tritonhttp = pytest.importorskip("tritonclient.http")
pytest.importorskip("onnxruntime")

pytestmark = pytest.mark.models

REL_TOL = 1e-4
DATATYPE = {"float32": "FP32", "int64": "INT64"}


def _params(with_cases: bool):
    params = []
    for model in MODEL_ORDER:
        for case in cases_for(model) if with_cases else [None]:
            reason = known_gap(model, case.name if case else None)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            values = (model, case) if with_cases else (model,)
            test_id = f"{model}-{case}" if with_cases else model
            params.append(pytest.param(*values, marks=marks, id=test_id))
    return params


def _client(server):
    return tritonhttp.InferenceServerClient(server.url, network_timeout=300.0,
                                            connection_timeout=60.0)


def _declared_signature(values) -> list:
    """(name, datatype, shape with -1 for every symbolic or unknown dim) of graph inputs/outputs."""
    import onnx

    out = []
    for value in values:
        tensor = value.type.tensor_type
        dtype = DATATYPE[onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type).name]
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim]
        out.append((value.name, dtype, dims))
    return out


@pytest.mark.parametrize("model", _params(with_cases=False))
def test_loads_with_signature(served, model):
    """The model loads and its metadata is the signature the ONNX file declares."""
    import onnx

    graph = onnx.load(str(served.path(model)), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}
    server = served.get_server(model)
    meta = _client(server).get_model_metadata(server.model)
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["inputs"]] == \
        _declared_signature(i for i in graph.input if i.name not in initializers)
    assert [(t["name"], t["datatype"], t["shape"]) for t in meta["outputs"]] == \
        _declared_signature(graph.output)
    assert [t["name"] for t in meta["inputs"]] == [i["name"] for i in served.entry(model)["inputs"]]


@pytest.mark.parametrize("model,case", _params(with_cases=True))
def test_matches_onnxruntime(served, model, case):
    entry = served.entry(model)
    feeds = make_inputs(entry, model, case)
    expected = served.get_ort(model).run(None, feeds)
    server = served.get_server(model)

    result = _infer(server, entry, feeds)
    _compare(model, case.name, entry, result, expected)


@pytest.mark.parametrize("model", _params(with_cases=False))
def test_concurrent_rows_match_onnxruntime(served, model):
    """Several clients at once, one row each: whatever batches the server forms, every client gets
    its own row's outputs."""
    entry = served.entry(model)
    case = CONCURRENT_CASE[KIND[model]]
    feeds = [make_inputs(entry, model, case, client) for client in range(CONCURRENT_CLIENTS)]
    session = served.get_ort(model)
    expected = [session.run(None, f) for f in feeds]
    server = served.get_server(model)

    results, errors = [None] * CONCURRENT_CLIENTS, []
    barrier = threading.Barrier(CONCURRENT_CLIENTS)

    def run(client):
        try:
            barrier.wait(timeout=60)
            results[client] = _infer(server, entry, feeds[client])
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"client {client}: {exc!r}")

    threads = [threading.Thread(target=run, args=(c,)) for c in range(CONCURRENT_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    worst: dict = {}
    for client in range(CONCURRENT_CLIENTS):
        for output, err, bound in _compare(model, f"{case.name} client {client}", entry,
                                           results[client], expected[client], record=False):
            worst[output] = max(worst.get(output, (err, bound)), (err, bound))
    label = f"{CONCURRENT_CLIENTS}x{case.name}"
    RESULTS.extend((model, label, output, e, b) for output, (e, b) in worst.items())


def _infer(server, entry: dict, feeds: dict):
    inputs = []
    for name, array in feeds.items():
        tensor = tritonhttp.InferInput(name, list(array.shape), DATATYPE[str(array.dtype)])
        tensor.set_data_from_numpy(array, binary_data=True)
        inputs.append(tensor)
    outputs = [tritonhttp.InferRequestedOutput(o["name"], binary_data=True)
               for o in entry["outputs"]]
    client = _client(server)
    try:
        return client.infer(server.model, inputs, outputs=outputs)
    finally:
        client.close()


def _compare(model: str, case: str, entry: dict, result, expected: list,
             record: bool = True) -> list[tuple[str, float, float]]:
    """Asserts every output is within REL_TOL of onnxruntime's; returns (output, max abs error,
    bound) per output and, with `record`, adds them to the summary."""
    failures, errors = [], []
    for spec, want in zip(entry["outputs"], expected):
        got = result.as_numpy(spec["name"])
        assert got is not None, f"{spec['name']}: missing from the response"
        assert got.dtype == want.dtype and got.shape == want.shape, (
            f"{spec['name']}: got {got.dtype} {list(got.shape)}, onnxruntime gives "
            f"{want.dtype} {list(want.shape)}")
        err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
        bound = REL_TOL * max(1.0, float(np.max(np.abs(want))))
        errors.append((spec["name"], err, bound))
        if record:
            RESULTS.append((model, case, spec["name"], err, bound))
        if np.isnan(err):
            failures.append(f"{spec['name']}: {int(np.isnan(got).sum())} NaN of {got.size} values "
                            "where onnxruntime has none")
        elif err > bound:
            worst = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
            failures.append(f"{spec['name']}: max abs error {err:.3e} > {bound:.3e} at "
                            f"{[int(i) for i in worst]} (modelhost {got[worst]:.6g}, "
                            f"onnxruntime {want[worst]:.6g})")
    assert not failures, f"{model} {case}: " + "; ".join(failures)
    return errors


@pytest.mark.parametrize("model", ["bert_tiny"])
def test_out_of_range_tokens_are_request_errors(served, model):
    """A token id past the vocabulary and a sequence past the position table are the caller's
    errors (400 naming the node), and the server goes on serving."""
    from tritonclient.utils import InferenceServerException

    entry = served.entry(model)
    server = served.get_server(model)
    bad_id = make_inputs(entry, model, Case("bad-id", 1, 8))
    bad_id["input_ids"][0, 1] = entry["vocab_size"] + 7
    too_long = make_inputs(entry, model, Case("too-long", 1, entry["max_sequence"] + 8))
    for feeds, words in [(bad_id, ["node", "Gather", "out of range"]), (too_long, ["node"])]:
        with pytest.raises(InferenceServerException) as info:
            _infer(server, entry, feeds)
        assert info.value.status() == "400", info.value
        assert all(w in info.value.message() for w in words), info.value

    ok = make_inputs(entry, model, Case("after-errors", 1, 8))
    _compare(model, "after-errors", entry, _infer(server, entry, ok),
             served.get_ort(model).run(None, ok), record=False)
