#!/usr/bin/env python3
"""The PyTorch side of the GPU benchmark: one model per process (bench/gpu/run.py starts it).

  torch_bench.py --model resnet50|bert_base --rows FILE.jsonl [--export-dir DIR]
                 [--device cuda|cpu] [--modes eager-fp32,eager-fp16,compile-fp16] [--host-io]
                 [--batches 1,32,128] [--seq 128] [--measure-s 1.0] [--warmup-s 0.3]
                 [--min-iters 10] [--max-iters 300] [--compile-budget-s 60]

Writes JSON lines to --rows as it goes (an env record, an export record, then a "start" record
before and a "row" record after each measurement), so that whatever finished survives a crash or
the parent's time limit.

- --export-dir: first exports the seeded float32 model to DIR/<model>.onnx (models.export_onnx),
  then times that very module.
- eager-fp32: the float32 module; TF32 off for matmuls and cuDNN (modelhost's fp32 is plain fp32).
- eager-fp16: model.half(), float inputs in fp16.
- compile-fp16: torch.compile(model.half()) in the default mode with dynamic=False (one graph per
  batch size, compiled on the first call and timed after it); batches in the order given (the
  caller puts 128 first); once --compile-budget-s is spent the rest are skipped. A failure is a
  row with the error, not a crash; after one, the model's other batches are skipped.
- --host-io: each fp16 mode is also timed with the float32 inputs in (pageable) host memory copied
  to the device and the output copied back as float32, which is what `modelhost perf` times.

Timing: warmup (at least 3 calls and --warmup-s), then calls until --measure-s has passed (at
least --min-iters, at most --max-iters); each call is timed on the wall clock from the call to
torch.cuda.synchronize() returning, with the device idle before it. p50 = the median call;
items/s = batch / mean latency. cuDNN's autotuner (cudnn.benchmark) is on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


class Rows:
    def __init__(self, path: str, model: str):
        self.f = open(path, "a", buffering=1)
        self.model = model

    def write(self, kind: str, **fields):
        rec = {"kind": kind, "model": self.model, "t": round(time.time(), 3), **fields}
        self.f.write(json.dumps(rec) + "\n")
        self.f.flush()


def percentile(values, p):
    """modelhost perf's rule: the value at round(p/100 * (n-1)) of the sorted values."""
    v = sorted(values)
    i = int(p / 100.0 * (len(v) - 1) + 0.5)
    return v[min(i, len(v) - 1)]


def summarize(lat_s, batch):
    ms = [x * 1000.0 for x in lat_s]
    mean = sum(ms) / len(ms)
    return {"p50_ms": percentile(ms, 50), "p90_ms": percentile(ms, 90),
            "p99_ms": percentile(ms, 99), "mean_ms": mean, "min_ms": min(ms), "max_ms": max(ms),
            "items_per_s": batch * 1000.0 / mean, "iterations": len(ms)}


def timed_loop(fn, sync, args):
    """Warmup, then timed calls; returns (latencies in s, warmup calls)."""
    n_warm = 0
    end = time.perf_counter() + args.warmup_s
    while n_warm < args.min_warmup or (time.perf_counter() < end and n_warm < args.max_iters):
        fn()
        sync()
        n_warm += 1
    lat = []
    start = time.perf_counter()
    while len(lat) < args.min_iters or (time.perf_counter() - start < args.measure_s
                                        and len(lat) < args.max_iters):
        t0 = time.perf_counter()
        fn()
        sync()
        lat.append(time.perf_counter() - t0)
    return lat, n_warm


def short_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return " / ".join(lines[:3])[:600] if lines else type(exc).__name__


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--export-dir")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--modes", default="eager-fp32,eager-fp16")
    ap.add_argument("--host-io", action="store_true")
    ap.add_argument("--batches", default="1,32,128")
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--measure-s", type=float, default=1.0)
    ap.add_argument("--warmup-s", type=float, default=0.3)
    ap.add_argument("--min-warmup", type=int, default=3)
    ap.add_argument("--min-iters", type=int, default=10)
    ap.add_argument("--max-iters", type=int, default=300)
    ap.add_argument("--compile-budget-s", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = ap.parse_args(argv)

    rows = Rows(args.rows, args.model)
    t_import = time.perf_counter()
    import torch

    import models

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    cuda = args.device.startswith("cuda")
    env = {"torch": torch.__version__, "python": platform.python_version(),
           "torch_cuda": getattr(torch.version, "cuda", None),
           "has_compile": hasattr(torch, "compile"), "import_s": 0.0,
           "device": args.device, "torch_threads": torch.get_num_threads()}
    try:
        import numpy  # noqa: F401  (only reported: nothing here needs it)
        env["numpy"] = numpy.__version__
    except Exception:  # noqa: BLE001
        env["numpy"] = None
    cuda_error = None
    if cuda:
        try:
            if not torch.cuda.is_available():
                raise RuntimeError("torch.cuda.is_available() is False")
            env["gpu"] = torch.cuda.get_device_name(0)
            env["capability"] = ".".join(map(str, torch.cuda.get_device_capability(0)))
            env["cudnn"] = torch.backends.cudnn.version()
            torch.backends.cudnn.benchmark = True
            torch.backends.cuda.matmul.allow_tf32 = False  # fp32 rows: plain fp32, as modelhost's
            torch.backends.cudnn.allow_tf32 = False
        except Exception as exc:  # noqa: BLE001  (still export: modelhost may run)
            cuda_error = f"PyTorch cannot use CUDA: {short_error(exc)}"
            env["error"] = cuda_error
    env["import_s"] = round(time.perf_counter() - t_import, 2)
    rows.write("env", **env)

    t0 = time.perf_counter()
    model = models.build(args.model)
    checksum = models.weights_checksum(model)
    rows.write("built", build_s=round(time.perf_counter() - t0, 2), weights_checksum=checksum)
    if args.export_dir:
        os.makedirs(args.export_dir, exist_ok=True)
        path = os.path.join(args.export_dir, f"{args.model}.onnx")
        try:
            info = models.export_onnx(args.model, model, path)
            rows.write("export", ok=True, path=path, **info)
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            rows.write("export", ok=False, path=path, error=short_error(exc))

    device = torch.device(args.device)
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    batches = [int(b) for b in args.batches.split(",") if b]
    modes = [m for m in args.modes.split(",") if m]
    seq = args.seq

    def variants(mode):
        return [False, True] if (args.host_io and "fp16" in mode and cuda) else [False]

    def base_row(mode, batch, host_io):
        return {"engine": "pytorch", "mode": mode, "batch": batch,
                "seq": seq if args.model == "bert_base" else None, "device": args.device,
                "io": "host" if host_io else "device", "torch": torch.__version__}

    def run_fn(module, batch, half, host_io):
        host_inputs = models.make_inputs(args.model, batch, seq)
        dev_inputs = tuple(
            (x.to(device).half() if half else x.to(device)) if x.is_floating_point()
            else x.to(device) for x in host_inputs)
        if not host_io:
            def fn():
                with torch.inference_mode():
                    return module(*dev_inputs)
            return fn

        def fn_host():
            with torch.inference_mode():
                xs = tuple((x.to(device).half() if half else x.to(device))
                           if x.is_floating_point() else x.to(device) for x in host_inputs)
                return module(*xs).float().cpu()
        return fn_host

    def measure(module, mode, batch, half, host_io, extra=None):
        rows.write("start", mode=mode, batch=batch, io="host" if host_io else "device")
        row = base_row(mode, batch, host_io)
        try:
            fn = run_fn(module, batch, half, host_io)
            lat, n_warm = timed_loop(fn, sync, args)
            row.update(status="ok", warmup=n_warm, **summarize(lat, batch), **(extra or {}))
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            row.update(status="error", error=short_error(exc), **(extra or {}))
        rows.write("row", **row)
        if cuda:
            torch.cuda.empty_cache()
        return row

    for mode in modes:
        if cuda_error:
            for b in batches:
                for h in variants(mode):
                    rows.write("row", **base_row(mode, b, h), status="error", error=cuda_error)
            continue
        if mode in ("eager-fp16", "compile-fp16") and not cuda:
            for b in batches:
                for h in variants(mode):
                    rows.write("row", **base_row(mode, b, h), status="skipped",
                               error="fp16 is measured on CUDA devices only")
            continue
        if mode == "eager-fp32":
            m32 = model.to(device)
            for b in batches:
                measure(m32, mode, b, False, False)
        elif mode == "eager-fp16":
            import copy

            m16 = copy.deepcopy(model).half().to(device)
            for b in batches:
                for h in variants(mode):
                    measure(m16, mode, b, True, h)
            del m16
        elif mode == "compile-fp16":
            if not hasattr(torch, "compile"):
                for b in batches:
                    for h in variants(mode):
                        rows.write("row", **base_row(mode, b, h), status="skipped",
                                   error=f"torch.compile is not in torch {torch.__version__}")
                continue
            import copy

            m16 = copy.deepcopy(model).half().to(device)
            compiled = torch.compile(m16, dynamic=False)  # default mode, see docs/benchmarks.md
            started = time.perf_counter()
            failed = None
            for b in batches:
                if failed is not None or time.perf_counter() - started > args.compile_budget_s:
                    why = (f"skipped: compiling failed at an earlier batch ({failed})" if failed
                           else f"skipped: the torch.compile budget ({args.compile_budget_s:.0f} s)"
                                f" was spent")
                    for h in variants(mode):
                        rows.write("row", **base_row(mode, b, h), status="skipped", error=why)
                    continue
                rows.write("start", mode=mode, batch=b, io="device", phase="compile")
                t_c = time.perf_counter()
                try:
                    fn = run_fn(compiled, b, True, False)
                    fn()
                    sync()
                except Exception as exc:  # noqa: BLE001
                    traceback.print_exc()
                    failed = f"batch {b}: {short_error(exc)}"
                    for h in variants(mode):
                        rows.write("row", **base_row(mode, b, h), status="error",
                                   error=f"torch.compile failed: {short_error(exc)}",
                                   compile_s=round(time.perf_counter() - t_c, 1))
                    continue
                extra = {"compile_s": round(time.perf_counter() - t_c, 1),
                         "compile_mode": "default", "dynamic": False}
                try:
                    from torch._dynamo.utils import counters

                    extra["graph_breaks"] = sum(counters["graph_break"].values())
                except Exception:  # noqa: BLE001
                    pass
                for h in variants(mode):
                    measure(compiled, mode, b, True, h, extra)
        else:
            rows.write("row", **base_row(mode, 0, False), status="error",
                       error=f"unknown mode {mode}")
    rows.write("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
