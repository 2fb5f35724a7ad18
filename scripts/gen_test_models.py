#!/usr/bin/env python3
"""Generates the small ONNX models that the tests, the benchmark and `make run` serve.

Usage: gen_test_models.py [OUT_DIR] [--check]

OUT_DIR defaults to tests/data/models (relative to the repository root). Every model is written as
<name>.onnx. Valid models use opset 13 and IR version 8 so that onnxruntime accepts them too. The
bad_* models and not_a_model.onnx are deliberately broken, for load-error tests.

--check runs every valid model once through onnxruntime (and confirms that onnxruntime refuses the
broken ones) to prove the files are what they claim to be.

Weights come from seeded numpy RNGs, so the output is identical on every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 8
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "data" / "models"


def _model(graph: onnx.GraphProto, opset: int = OPSET) -> onnx.ModelProto:
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="modelhost-gen-test-models",
    )
    model.ir_version = IR_VERSION
    return model


def _fp32(name: str, shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def identity_fp32() -> onnx.ModelProto:
    node = helper.make_node("Identity", ["INPUT0"], ["OUTPUT0"])
    graph = helper.make_graph(
        [node], "identity_fp32", [_fp32("INPUT0", ["batch", 16])], [_fp32("OUTPUT0", ["batch", 16])]
    )
    return _model(graph)


def add_sub() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Add", ["INPUT0", "INPUT1"], ["OUTPUT0"]),
        helper.make_node("Sub", ["INPUT0", "INPUT1"], ["OUTPUT1"]),
    ]
    graph = helper.make_graph(
        nodes,
        "add_sub",
        [_fp32("INPUT0", ["batch", 16]), _fp32("INPUT1", ["batch", 16])],
        [_fp32("OUTPUT0", ["batch", 16]), _fp32("OUTPUT1", ["batch", 16])],
    )
    return _model(graph)


def _classifier(
    name: str, in_name: str, out_name: str, in_dim: int, hidden: int, classes: int, seed: int
) -> onnx.ModelProto:
    """Gemm -> Relu -> Gemm -> Softmax(axis=1), weights from a seeded RNG."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((in_dim, hidden)).astype(np.float32) * np.float32(0.5)
    b1 = rng.standard_normal(hidden).astype(np.float32) * np.float32(0.1)
    w2 = rng.standard_normal((hidden, classes)).astype(np.float32) * np.float32(0.5)
    b2 = rng.standard_normal(classes).astype(np.float32) * np.float32(0.1)
    inits = [
        numpy_helper.from_array(w1, "W1"),
        numpy_helper.from_array(b1, "B1"),
        numpy_helper.from_array(w2, "W2"),
        numpy_helper.from_array(b2, "B2"),
    ]
    nodes = [
        helper.make_node("Gemm", [in_name, "W1", "B1"], ["hidden"], name="fc1"),
        helper.make_node("Relu", ["hidden"], ["hidden_relu"], name="relu1"),
        helper.make_node("Gemm", ["hidden_relu", "W2", "B2"], ["logits"], name="fc2"),
        helper.make_node("Softmax", ["logits"], [out_name], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        name,
        [_fp32(in_name, ["batch", in_dim])],
        [_fp32(out_name, ["batch", classes])],
        initializer=inits,
    )
    return _model(graph)


def mlp() -> onnx.ModelProto:
    return _classifier("mlp", "x", "probs", in_dim=4, hidden=8, classes=3, seed=1234)


def demo() -> onnx.ModelProto:
    """An iris-shaped classifier: 4 features -> probabilities over 3 classes."""
    return _classifier("demo", "features", "probabilities", in_dim=4, hidden=16, classes=3, seed=42)


def int64_add() -> onnx.ModelProto:
    const = numpy_helper.from_array(np.array([1, 2, 3, 4], dtype=np.int64), "K")
    node = helper.make_node("Add", ["a", "K"], ["out"])
    graph = helper.make_graph(
        [node],
        "int64_add",
        [helper.make_tensor_value_info("a", TensorProto.INT64, ["batch", 4])],
        [helper.make_tensor_value_info("out", TensorProto.INT64, ["batch", 4])],
        initializer=[const],
    )
    return _model(graph)


def fixed_shape() -> onnx.ModelProto:
    node = helper.make_node("Transpose", ["x"], ["y"], perm=[1, 0])
    graph = helper.make_graph([node], "fixed_shape", [_fp32("x", [2, 3])], [_fp32("y", [3, 2])])
    return _model(graph)


# --- Deliberately invalid models -------------------------------------------------------------


def bad_unknown_op() -> onnx.ModelProto:
    node = helper.make_node("FooBar", ["x"], ["y"], name="mystery_node")
    graph = helper.make_graph([node], "bad_unknown_op", [_fp32("x", ["batch", 4])], [_fp32("y", ["batch", 4])])
    return _model(graph)


def bad_opset() -> onnx.ModelProto:
    node = helper.make_node("Identity", ["x"], ["y"])
    graph = helper.make_graph([node], "bad_opset", [_fp32("x", ["batch", 4])], [_fp32("y", ["batch", 4])])
    return _model(graph, opset=99)


def bad_missing_initializer() -> onnx.ModelProto:
    node = helper.make_node("Gemm", ["x", "W_missing", "B_missing"], ["y"], name="fc_missing")
    graph = helper.make_graph(
        [node], "bad_missing_initializer", [_fp32("x", ["batch", 4])], [_fp32("y", ["batch", 3])]
    )
    return _model(graph)


def bad_cycle() -> onnx.ModelProto:
    nodes = [
        helper.make_node("Add", ["x", "t2"], ["t1"], name="add_a"),
        helper.make_node("Add", ["t1", "x"], ["t2"], name="add_b"),
    ]
    graph = helper.make_graph(nodes, "bad_cycle", [_fp32("x", ["batch", 4])], [_fp32("t1", ["batch", 4])])
    return _model(graph)


def bad_external_data() -> onnx.ModelProto:
    weight = TensorProto()
    weight.name = "W"
    weight.data_type = TensorProto.FLOAT
    weight.dims.extend([4, 3])
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "../outside.bin"), ("offset", "0"), ("length", "48")):
        entry = weight.external_data.add()
        entry.key = key
        entry.value = value
    node = helper.make_node("MatMul", ["x", "W"], ["y"], name="matmul_external")
    graph = helper.make_graph(
        [node],
        "bad_external_data",
        [_fp32("x", ["batch", 4])],
        [_fp32("y", ["batch", 3])],
        initializer=[weight],
    )
    return _model(graph)


VALID_MODELS = {
    "identity_fp32": identity_fp32,
    "add_sub": add_sub,
    "mlp": mlp,
    "int64_add": int64_add,
    "fixed_shape": fixed_shape,
    "demo": demo,
}

INVALID_MODELS = {
    "bad_unknown_op": bad_unknown_op,
    "bad_opset": bad_opset,
    "bad_missing_initializer": bad_missing_initializer,
    "bad_cycle": bad_cycle,
    "bad_external_data": bad_external_data,
}

NOT_A_MODEL = "not_a_model"


def generate(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in {**VALID_MODELS, **INVALID_MODELS}.items():
        model = build()
        if name in VALID_MODELS:
            onnx.checker.check_model(model, full_check=True)
        path = out_dir / f"{name}.onnx"
        # save_model would try to resolve external data; write the bytes ourselves.
        path.write_bytes(model.SerializeToString())
        written.append(path)
    junk = np.random.default_rng(7).integers(0, 256, size=4096, dtype=np.uint8).tobytes()
    path = out_dir / f"{NOT_A_MODEL}.onnx"
    path.write_bytes(junk)
    written.append(path)
    return written


def _random_feed(session) -> dict:
    rng = np.random.default_rng(0)
    feed = {}
    for inp in session.get_inputs():
        shape = [d if isinstance(d, int) else 2 for d in inp.shape]
        if inp.type == "tensor(int64)":
            feed[inp.name] = rng.integers(-100, 100, size=shape, dtype=np.int64)
        else:
            feed[inp.name] = rng.standard_normal(shape).astype(np.float32)
    return feed


def check(out_dir: Path) -> bool:
    import onnxruntime as ort

    ok = True
    for name in VALID_MODELS:
        path = out_dir / f"{name}.onnx"
        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            outputs = session.run(None, _random_feed(session))
            shapes = ", ".join(str(list(o.shape)) for o in outputs)
            print(f"check: {name}: ok (outputs {shapes})")
        except Exception as exc:  # noqa: BLE001 - report every model, then fail
            print(f"check: {name}: FAILED: {exc}", file=sys.stderr)
            ok = False
    for name in [*INVALID_MODELS, NOT_A_MODEL]:
        path = out_dir / f"{name}.onnx"
        try:
            ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001
            first_line = str(exc).strip().splitlines()[0][:120]
            print(f"check: {name}: refused as intended ({first_line})")
        else:
            print(f"check: {name}: WARNING: onnxruntime loaded a model meant to be invalid", file=sys.stderr)
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default=str(DEFAULT_OUT))
    parser.add_argument("--check", action="store_true", help="run every valid model through onnxruntime")
    args = parser.parse_args(argv)
    out_dir = Path(args.out_dir)
    for path in generate(out_dir):
        print(path)
    if args.check and not check(out_dir):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
