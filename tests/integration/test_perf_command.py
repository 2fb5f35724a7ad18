"""`modelhost perf` and `modelhost validate`: op counts per graph pass and engine-only timing."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

pytestmark = pytest.mark.integration


def modelhost(modelhost_bin, *args, timeout=60):
    return subprocess.run([str(modelhost_bin), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def perf_json(modelhost_bin, *args):
    proc = modelhost(modelhost_bin, "perf", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def text_model(vocab: int = 100) -> onnx.ModelProto:
    """A BERT-shaped toy: int64 input_ids / attention_mask / token_type_ids [batch, sequence], a
    float `embeds` [batch, seq_len, 4] and a float `extra` [batch, width].

    The graph fails at run time unless the inputs hold what `modelhost perf` promises: ids index a
    `vocab`-row table (out of range fails), (attention_mask - 1) * 5 and token_type_ids * 5 index
    one-row tables (only mask 1 and type 0 are valid), and embeds must have the ids' shape.
    """
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((vocab, 4)).astype(np.float32), "E"),
        numpy_helper.from_array(np.array([1.0], dtype=np.float32), "ONE_ROW"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "I1"),
        numpy_helper.from_array(np.array(5, dtype=np.int64), "I5"),
    ]
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["emb"]),
        helper.make_node("Add", ["emb", "embeds"], ["y"]),
        helper.make_node("Sub", ["attention_mask", "I1"], ["mask_m1"]),
        helper.make_node("Mul", ["mask_m1", "I5"], ["mask_idx"]),
        helper.make_node("Gather", ["ONE_ROW", "mask_idx"], ["mask_out"]),
        helper.make_node("Mul", ["token_type_ids", "I5"], ["type_idx"]),
        helper.make_node("Gather", ["ONE_ROW", "type_idx"], ["type_out"]),
        helper.make_node("Relu", ["extra"], ["extra_out"]),
    ]
    ints = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
    graph = helper.make_graph(
        nodes, "text_model",
        [ints("input_ids"), ints("attention_mask"), ints("token_type_ids"),
         helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "seq_len", 4]),
         helper.make_tensor_value_info("extra", TensorProto.FLOAT, ["batch", "width"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "sequence", 4]),
         helper.make_tensor_value_info("mask_out", TensorProto.FLOAT, ["batch", "sequence"]),
         helper.make_tensor_value_info("type_out", TensorProto.FLOAT, ["batch", "sequence"]),
         helper.make_tensor_value_info("extra_out", TensorProto.FLOAT, ["batch", "width"])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


@pytest.fixture(scope="module")
def text_models(tmp_path_factory):
    out = tmp_path_factory.mktemp("perf_models")
    onnx.save(text_model(100), out / "text.onnx")
    onnx.save(text_model(50), out / "text_vocab50.onnx")
    return out


def test_perf_prints_op_table_per_pass_and_timing(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", "--model", models_dir / "mlp.onnx", "--iterations", 20,
                     "--batch", 4)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    header = next(line for line in out.splitlines() if line.startswith("op "))
    assert "loaded" in header and "constant_folding" in header and "dead_node_elimination" in header
    gemm = next(line for line in out.splitlines() if line.startswith("Gemm"))
    assert gemm.split()[1:] == ["2"] * (len(header.split()) - 1)
    m = re.search(r"batch 4, 1 threads, 20 runs: p50 ([0-9.]+) ms, p90 ([0-9.]+) ms, "
                  r"p99 ([0-9.]+) ms, mean ([0-9.]+) ms, min ([0-9.]+) ms", out)
    assert m, out
    p50, p90, p99, _, low = map(float, m.groups())
    assert 0 < low <= p50 <= p90 <= p99
    m = re.search(r"throughput: ([0-9.]+) inferences/s \(([0-9.]+) runs/s x batch 4\)", out)
    assert m, out
    assert float(m.group(1)) == pytest.approx(4 * float(m.group(2)), rel=0.01)
    m = re.search(r"memory: peak RSS ([0-9.]+) MiB \(([0-9.]+) MiB after loading\); RSS during the "
                  r"timed runs [+-][0-9.]+ MiB", out)
    assert m, out
    assert float(m.group(1)) >= float(m.group(2)) > 0
    # The per-op time table: Gemm runs twice per run; "(executor)" is the rest of the run.
    table = out[out.index("time per op type"):].splitlines()
    assert table[1].split() == ["op", "total", "ms", "ms/run", "%", "of", "run", "calls/run"]
    rows = {line.split()[0]: line.split() for line in table[2:] if line.strip()}
    assert set(rows) == {"Gemm", "Relu", "Softmax", "(executor)"}
    assert float(rows["Gemm"][4]) == 2.0 and float(rows["Relu"][4]) == 1.0


def test_perf_takes_the_model_as_argument(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", models_dir / "mlp.onnx", "--iterations", 3)
    assert proc.returncode == 0, proc.stderr
    assert "batch 1, 1 threads, 3 runs" in proc.stdout
    # Flags may come first, and the same file given both ways is fine.
    proc = modelhost(modelhost_bin, "perf", "--iterations", 3, models_dir / "mlp.onnx",
                     "--model", models_dir / "mlp.onnx")
    assert proc.returncode == 0, proc.stderr


def test_perf_json_has_latency_throughput_memory_and_op_times(modelhost_bin, models_dir):
    r = perf_json(modelhost_bin, models_dir / "mlp.onnx", "--batch", 3, "--iterations", 30,
                  "--warmup", 2, "--threads", 2, "--profile-runs", 4)
    assert r["batch"] == 3 and r["threads"] == 2 and r["iterations"] == 30 and r["optimize"]
    assert r["inputs"] == [{"name": "x", "dtype": "float32", "shape": [3, 4], "model_shape": [-1, 4],
                            "source": "--batch"}]
    lat = r["latency_ms"]
    assert 0 < lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
    assert lat["min"] <= lat["mean"] <= lat["max"]
    tp = r["throughput"]
    assert tp["inferences_per_s"] == pytest.approx(3 * tp["runs_per_s"])
    mem = r["memory"]
    assert mem["peak_rss_mib"] >= mem["rss_after_load_mib"] > 0
    assert mem["rss_growth_timed_mib"] == pytest.approx(
        mem["rss_after_timed_mib"] - mem["rss_before_timed_mib"])
    # The engine's own accounting: the weights as stored in the model, and one run arena (runs
    # are sequential) that held at least the largest intermediate, [3, hidden] float32.
    import onnx
    from onnx import numpy_helper
    model = onnx.load(str(models_dir / "mlp.onnx"))
    weights = [numpy_helper.to_array(t) for t in model.graph.initializer]
    assert mem["weight_bytes"] == sum(w.nbytes for w in weights)
    assert mem["arenas"] == 1
    assert mem["peak_arena_bytes"] >= 3 * max(w.shape[-1] for w in weights) * 4
    assert r["op_counts"]["loaded"] == {"Gemm": 2, "Relu": 1, "Softmax": 1}
    passes = r["op_counts"]["passes"]
    assert [p["name"] for p in passes][:2] == ["constant_folding", "dead_node_elimination"]
    assert all(p["op_counts"] == {"Gemm": 2, "Relu": 1, "Softmax": 1} for p in passes)
    prof = r["op_profile"]
    assert prof["runs"] == 4 and prof["ms_per_run"] > 0
    ops = {o["op_type"]: o for o in prof["ops"]}
    assert ops["Gemm"]["calls_per_run"] == 2 and ops["Softmax"]["calls_per_run"] == 1
    assert ops["Gemm"]["ms_per_run"] == pytest.approx(ops["Gemm"]["total_ms"] / 4)
    assert sum(o["percent_of_run"] for o in prof["ops"]) == pytest.approx(100, abs=0.5)
    kernels = [o for o in prof["ops"] if o["op_type"] != "(executor)"]
    assert [o["total_ms"] for o in kernels] == sorted((o["total_ms"] for o in kernels), reverse=True)


def test_perf_profile_runs_zero_skips_the_op_table(modelhost_bin, models_dir):
    r = perf_json(modelhost_bin, models_dir / "mlp.onnx", "--iterations", 2, "--profile-runs", 0)
    assert r["op_profile"] == {"runs": 0, "ms_per_run": 0.0, "ops": []}
    proc = modelhost(modelhost_bin, "perf", models_dir / "mlp.onnx", "--iterations", 2,
                     "--profile-runs", 0)
    assert "time per op type: not measured (--profile-runs 0)" in proc.stdout


def test_perf_no_optimize_shows_only_the_loaded_graph(modelhost_bin, models_dir):
    r = perf_json(modelhost_bin, models_dir / "mlp.onnx", "--iterations", 2, "--no-optimize")
    assert r["optimize"] is False and r["op_counts"]["passes"] == []


def test_perf_shape_sets_one_input(modelhost_bin, models_dir):
    r = perf_json(modelhost_bin, models_dir / "mlp.onnx", "--shape", "x:5,4", "--batch", 2,
                  "--iterations", 2)
    assert r["inputs"][0]["shape"] == [5, 4] and r["inputs"][0]["source"] == "--shape"
    assert r["batch"] == 5
    r = perf_json(modelhost_bin, models_dir / "add_sub.onnx", "--shape=INPUT0:2,16", "--shape",
                  "INPUT1:2,16", "--iterations", 2)
    assert [i["shape"] for i in r["inputs"]] == [[2, 16], [2, 16]]


def test_perf_batch_and_seq_fill_open_dims_of_a_text_model(modelhost_bin, text_models):
    r = perf_json(modelhost_bin, text_models / "text.onnx", "--batch", 2, "--seq", 16,
                  "--iterations", 3)
    shapes = {i["name"]: i["shape"] for i in r["inputs"]}
    # Integer inputs: the second dim is the sequence; "seq_len" names a sequence dim of a float
    # input; "width" is neither, so it gets 1.
    assert shapes == {"input_ids": [2, 16], "attention_mask": [2, 16], "token_type_ids": [2, 16],
                      "embeds": [2, 16, 4], "extra": [2, 1]}
    assert r["batch"] == 2
    assert {i["name"]: i["source"] for i in r["inputs"]}["extra"] == "--batch, open dims 1"
    # The run succeeded, so the generated values were valid: ids in [0, 100), attention_mask all 1
    # and token_type_ids all 0 (see text_model()).
    assert r["op_profile"]["ops"]


def test_perf_token_ids_are_not_all_zero(modelhost_bin, text_models):
    # With a 50-row table, 2 x 64 ids drawn from [0, 100) include an out-of-range one.
    proc = modelhost(modelhost_bin, "perf", text_models / "text_vocab50.onnx", "--batch", 2,
                     "--seq", 64, "--iterations", 1)
    assert proc.returncode == 1
    assert "run failed" in proc.stderr and "Gather" in proc.stderr


def test_perf_shape_overrides_seq_for_one_input(modelhost_bin, text_models):
    # --shape wins for its input; the others follow --batch/--seq and must agree with it.
    r = perf_json(modelhost_bin, text_models / "text.onnx", "--seq", 8, "--shape", "extra:1,3",
                  "--iterations", 2)
    shapes = {i["name"]: i["shape"] for i in r["inputs"]}
    assert shapes["extra"] == [1, 3] and shapes["input_ids"] == [1, 8]


@pytest.mark.parametrize("shape, message", [
    ("x", 'flag --shape "x": expected NAME:D1,D2,...'),
    (":4", 'flag --shape ":4": expected NAME:D1,D2,...'),
    ("x:4,a", 'flag --shape "x:4,a": dim "a" is not a positive integer'),
    ("x:0,4", 'flag --shape "x:0,4": dim "0" is not a positive integer'),
    ("x:4,", 'flag --shape "x:4,": empty dim after the last \',\''),
])
def test_perf_rejects_bad_shape_syntax(modelhost_bin, models_dir, shape, message):
    proc = modelhost(modelhost_bin, "perf", models_dir / "mlp.onnx", "--shape", shape)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


@pytest.mark.parametrize("shapes, message", [
    (["nope:1,4"], 'flag --shape "nope:1,4": the model has no input "nope"; its inputs are: x'),
    (["x:1,5"], 'flag --shape "x:1,5": dim 1 of input "x" is fixed to 4 by the model '
                '(float32 [-1,4]), got 5'),
    (["x:1,4,1"], 'flag --shape "x:1,4,1": input "x" has rank 2 (float32 [-1,4]), got 3 dims'),
    (["x:1,4", "x:2,4"], 'flag --shape "x:2,4": input "x" already has a --shape'),
])
def test_perf_rejects_shapes_that_do_not_fit_the_model(modelhost_bin, models_dir, shapes, message):
    args = [a for s in shapes for a in ("--shape", s)]
    proc = modelhost(modelhost_bin, "perf", models_dir / "mlp.onnx", *args)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


def test_perf_rejects_batch_and_seq_with_nothing_to_set(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", models_dir / "fixed_shape.onnx", "--batch", 4)
    assert proc.returncode == 2
    assert ("flag --batch 4: no input has an open leading dim to set (x float32 [2,3])"
            in proc.stderr), proc.stderr
    proc = modelhost(modelhost_bin, "perf", models_dir / "mlp.onnx", "--seq", 128)
    assert proc.returncode == 2
    assert "flag --seq 128: no input has an open sequence dim to set (x float32 [-1,4])" in proc.stderr
    # A batch the model fixes anyway is not an error.
    proc = modelhost(modelhost_bin, "perf", models_dir / "fixed_shape.onnx", "--batch", 2,
                     "--iterations", 1)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("args, message", [
    ([], "no model given: modelhost perf MODEL [flags]"),
    (["a.onnx", "b.onnx"], 'unexpected argument "b.onnx": the model is already given ("a.onnx")'),
    (["a.onnx", "--model", "b.onnx"], 'the model is given twice: "a.onnx" and --model "b.onnx"'),
    (["a.onnx", "--shape"], "flag --shape needs a value NAME:D1,D2,..."),
    (["a.onnx", "--batch", "0"], "flag --batch: 0 is out of range"),
    (["a.onnx", "--seq", "x"], 'flag --seq: "x" is not an integer'),
    (["a.onnx", "--profile-runs", "-1"], "flag --profile-runs: -1 is out of range"),
])
def test_perf_rejects_bad_arguments(modelhost_bin, args, message):
    proc = modelhost(modelhost_bin, "perf", *args)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


def test_perf_help_lists_the_flags(modelhost_bin):
    proc = modelhost(modelhost_bin, "perf", "--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: modelhost perf MODEL [flags]")
    for flag in ("--model", "--shape", "--batch", "--seq", "--threads", "--iterations", "--warmup",
                 "--profile-runs", "--no-optimize", "--json"):
        assert flag in proc.stdout


def test_perf_refuses_a_broken_model(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "perf", "--model", models_dir / "bad_unknown_op.onnx")
    assert proc.returncode == 1
    assert "FooBar" in proc.stderr


def test_validate_prints_the_signature(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "validate", models_dir / "add_sub.onnx")
    assert proc.returncode == 0, proc.stderr
    meta = json.loads(proc.stdout)
    assert [i["name"] for i in meta["inputs"]] == ["INPUT0", "INPUT1"]
    assert meta["inputs"][0]["shape"] == [-1, 16]


def test_validate_names_the_problem(modelhost_bin, models_dir):
    proc = modelhost(modelhost_bin, "validate", models_dir / "bad_opset.onnx")
    assert proc.returncode == 1
    assert "99" in proc.stderr
