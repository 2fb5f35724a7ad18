#!/usr/bin/env python3
"""GPU benchmark: modelhost against PyTorch on one GPU, in one run (see bench/gpu/README.md).

  bench/gpu/run.py OUT --modelhost BIN [--quick] [--budget-s 300] [--python PY]

On a machine with one NVIDIA GPU and a CUDA build of PyTorch, in this order:

 1. preflight: nvidia-smi, `modelhost version`, which flags `perf` and `run` have;
 2. PyTorch, one process per model (torch_bench.py): builds the seeded ResNet-50 / BERT-base
    (models.py), exports it to OUT/models/<model>.onnx, then times that module: eager fp32,
    eager fp16 (device-resident tensors, and host -> device -> host like modelhost perf);
 3. modelhost's engine on the GPU in fp16: `modelhost perf OUT/models/M.onnx --device cuda:0
    --precision fp16 --batch B [--seq 128] --iterations N --warmup W --profile-runs 0 --json`;
 4. the served path: `modelhost run --device cuda:0 --precision fp16 --http-port 0 ...` driven
    by oip_client.py (binary tensors, batch 32, several connections), against the engine at 32;
 5. modelhost on the CPU (--device cpu --threads 16, batch 1 and 32);
 6. modelhost's engine on the GPU in fp32;
 7. torch.compile fp16 per model (batch 128 first), with whatever time is left.

Each piece has a time cap and the run a total budget (--budget-s); a piece that fails, times out
or does not fit is a row with the reason, and the run goes on. Writes OUT/results.json (every
row), OUT/results.md (tables and ratios against the targets), OUT/logs/ (each command's output)
and OUT/raw/ (modelhost's JSON, the PyTorch rows). Exit status 0 when the run completed, even
with failed pieces (they are in the tables); 2 for bad arguments.

--quick: the same flow on a machine without a GPU, small: PyTorch and modelhost on the CPU,
batch 1 and 2, sequence 32, a few iterations, fp16 pieces skipped. It checks the plumbing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

MODELS = {
    "resnet50": {"label": "ResNet-50", "unit": "images/s", "text": False, "load_s": 25},
    "bert_base": {"label": "BERT-base", "unit": "sequences/s", "text": True, "load_s": 45},
}

PROFILES = {
    # On an H100/H200 with 16 cores, about 4.5 minutes; see docs/benchmarks.md.
    "full": {
        "device": "cuda:0", "torch_device": "cuda", "batches": [1, 32, 128],
        "compile_batches": [128, 1, 32], "cpu_batches": [1, 32], "seq": 128,
        "torch": {"measure_s": 1.0, "warmup_s": 0.3, "min_warmup": 3, "min_iters": 10,
                  "max_iters": 300},
        # modelhost perf: the first batch runs a fixed count; later ones are sized from the
        # previous batch's p50 so that each takes about target_s.
        "gpu_perf": {"first_iters": 100, "first_warmup": 10, "target_s": 1.5, "min_iters": 20,
                     "max_iters": 400, "run_cap_s": 40, "slow_ms_per_item": 10.0},
        "cpu_perf": {"first_iters": 10, "first_warmup": 2, "target_s": 2.0, "min_iters": 3,
                     "max_iters": 50, "run_cap_s": 20},
        "served": {"batch": 32, "concurrency": 8, "processes": 4, "warmup_s": 3.0,
                   "duration_s": 8.0, "io_threads": 4},
        "caps": {"eager_resnet50": 90, "eager_bert_base": 110, "gpu_primary": 80, "served": 75,
                 "cpu": 50, "gpu_secondary": 65},
        "budget_s": 300,
    },
    # The plumbing on a CPU-only machine (2 cores here): minutes, not numbers.
    "quick": {
        "device": "cpu", "torch_device": "cpu", "batches": [1, 2], "compile_batches": [2, 1],
        "cpu_batches": [1, 2], "seq": 32,
        "torch": {"measure_s": 0.0, "warmup_s": 0.0, "min_warmup": 1, "min_iters": 2,
                  "max_iters": 2},
        "gpu_perf": {"first_iters": 3, "first_warmup": 1, "target_s": 0.3, "min_iters": 2,
                     "max_iters": 3, "run_cap_s": 60, "slow_ms_per_item": 1e9},
        "cpu_perf": {"first_iters": 3, "first_warmup": 1, "target_s": 0.3, "min_iters": 2,
                     "max_iters": 3, "run_cap_s": 60},
        "served": {"batch": 2, "concurrency": 2, "processes": 1, "warmup_s": 1.0,
                   "duration_s": 3.0, "io_threads": 1},
        "caps": {"eager_resnet50": 240, "eager_bert_base": 300, "gpu_primary": 150,
                 "served": 120, "cpu": 150, "gpu_secondary": 150},
        "budget_s": 1200,
    },
}

FALLBACK_RE = re.compile(r"runs on the CPU|no CUDA execution provider|fall(?:s|ing)? back to "
                         r"(?:the )?CPU", re.IGNORECASE)
PERF_KEYS = {"model", "opset", "producer", "threads", "optimize", "batch", "inputs", "outputs",
             "load_ms", "warmup", "iterations", "latency_ms", "throughput", "memory",
             "op_counts", "op_profile", "placement", "compare_cpu"}


LOG_FILE = None


def log(msg: str) -> None:
    line = f"[gpu-bench {time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if LOG_FILE is not None:
        LOG_FILE.write(line + "\n")
        LOG_FILE.flush()


class Budget:
    def __init__(self, total_s: float):
        self.start = time.monotonic()
        self.total = total_s

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.total - self.elapsed()


class Section:
    """A piece of the run with its own cap, inside the overall budget."""

    def __init__(self, bench, name: str, cap_s: float):
        self.bench, self.name = bench, name
        self.start = time.monotonic()
        self.cap = min(cap_s, max(0.0, bench.budget.left()))

    def left(self) -> float:
        return self.cap - (time.monotonic() - self.start)

    def close(self):
        self.bench.sections.append({"name": self.name, "cap_s": round(self.cap, 1),
                                    "wall_s": round(time.monotonic() - self.start, 1)})


def run_cmd(cmd, timeout, log_base, env=None):
    """Runs cmd in its own process group with stdout/stderr in log_base.out/.err; on timeout the
    whole group is killed. Returns dict(rc, out, err, timed_out, wall_s)."""
    start = time.monotonic()
    timeout = max(1.0, timeout)
    with open(log_base + ".out", "wb") as out, open(log_base + ".err", "wb") as err:
        err.write(("$ " + shlex.join(cmd) + "\n").encode())
        err.flush()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, start_new_session=True)
        except OSError as exc:
            return {"rc": None, "out": "", "err": f"cannot start: {exc}", "timed_out": False,
                    "wall_s": 0.0}
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    with open(log_base + ".out", "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    with open(log_base + ".err", "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    stderr = stderr.split("\n", 1)[1] if stderr.startswith("$ ") else stderr
    return {"rc": proc.returncode, "out": stdout, "err": stderr, "timed_out": timed_out,
            "wall_s": round(time.monotonic() - start, 2)}


def last_error_line(text: str, limit: int = 400) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("$ ")]
    errs = [ln for ln in lines if "error" in ln.lower() or "Error" in ln]
    pick = errs[-1] if errs else (lines[-1] if lines else "")
    return pick[:limit]


def summarize_placement(p):
    """modelhost perf's "placement" object, short: device, node counts, CPU op types."""
    if not isinstance(p, dict):
        return None
    ops = {}
    for n in p.get("cpu_nodes") or []:
        text = n.get("node", "") if isinstance(n, dict) else str(n)
        m = re.search(r"\(op ([A-Za-z0-9_]+)", text)
        op = m.group(1) if m else text[:30]
        ops[op] = ops.get(op, 0) + 1
    reasons = sorted({n.get("reason", "") for n in p.get("cpu_nodes") or []
                      if isinstance(n, dict)})
    return {"device": p.get("device", ""), "device_nodes": p.get("device_nodes"),
            "cpu_nodes": sum(ops.values()),
            "cpu_ops": ", ".join(f"{k} x{v}" for k, v in sorted(ops.items(), key=lambda kv: -kv[1])),
            "cpu_reasons": reasons[:5], "copies": len(p.get("copies") or []),
            "uploaded_bytes": p.get("uploaded_bytes")}


def percentile(values, p):
    v = sorted(values)
    if not v:
        return None
    return v[min(int(p / 100.0 * (len(v) - 1) + 0.5), len(v) - 1)]


class Bench:
    def __init__(self, args):
        self.args = args
        self.prof = PROFILES["quick" if args.quick else "full"]
        self.out = os.path.abspath(args.out)
        # --scratch: the bulky parts (models/, logs/, raw/) go there, and OUT gets three files.
        self.work = os.path.abspath(args.scratch) if args.scratch else self.out
        self.models_dir = os.path.join(self.work, "models")
        self.logs = os.path.join(self.work, "logs")
        self.raw = os.path.join(self.work, "raw")
        for d in (self.out, self.models_dir, self.logs, self.raw):
            os.makedirs(d, exist_ok=True)
        global LOG_FILE
        LOG_FILE = open(os.path.join(self.logs, "run.log"), "a")
        self.budget = Budget(args.budget_s or self.prof["budget_s"])
        self.modelhost = os.path.abspath(args.modelhost) if args.modelhost else None
        self.python = args.python or sys.executable
        self.cpu_threads = args.cpu_threads or min(16, os.cpu_count() or 1)
        self.rows = []
        self.sections = []
        self.exports = {}
        self.graphs = {}
        self.meta = {"started_utc": datetime.datetime.now(datetime.timezone.utc)
                     .strftime("%Y-%m-%d %H:%M UTC"), "profile": "quick" if args.quick else
                     "full", "host": platform.node(), "cpus": os.cpu_count(),
                     "budget_s": self.budget.total, "cpu_threads": self.cpu_threads,
                     "python": platform.python_version(), "modelhost": self.modelhost}
        self.mh_env = self._modelhost_env()
        self.torch_env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.torch_env_retried = False
        self.mh_ok = False
        self.mh_error = None
        self.perf_flags = set()
        self.run_flags = set()

    # --- environment ---------------------------------------------------------------------------

    def _modelhost_env(self):
        env = dict(os.environ)
        extra = []
        if self.modelhost:
            lib = os.path.join(os.path.dirname(self.modelhost), "lib")
            if os.path.isdir(lib):
                extra.append(lib)  # a bundle may carry its non-CUDA libraries there
        if extra:
            env["LD_LIBRARY_PATH"] = ":".join(extra + [p for p in [env.get("LD_LIBRARY_PATH")]
                                                       if p])
        return env

    def preflight(self):
        sec = Section(self, "preflight", 60)
        smi = shutil.which("nvidia-smi")
        if smi:
            r = run_cmd([smi, "--query-gpu=name,driver_version,memory.total",
                         "--format=csv,noheader"], 20, os.path.join(self.logs, "nvidia-smi"))
            if r["rc"] == 0 and r["out"].strip():
                self.meta["nvidia_smi"] = r["out"].strip().splitlines()[0]
        if not self.modelhost:
            self.mh_error = "no modelhost binary given (--modelhost)"
        elif not os.access(self.modelhost, os.X_OK):
            self.mh_error = f"{self.modelhost} is not an executable file"
        else:
            r = run_cmd([self.modelhost, "version"], 20, os.path.join(self.logs, "mh-version"),
                        self.mh_env)
            if r["rc"] != 0:
                self.mh_error = ("modelhost does not start: " +
                                 (last_error_line(r["err"] + r["out"]) or f"exit {r['rc']}"))
            else:
                self.mh_ok = True
                self.meta["modelhost_version"] = r["out"].strip()
                for sub, flags in (("perf", self.perf_flags), ("run", self.run_flags)):
                    h = run_cmd([self.modelhost, sub, "--help"], 20,
                                os.path.join(self.logs, f"mh-{sub}-help"), self.mh_env)
                    text = h["out"] + h["err"]
                    for flag in ("--device", "--precision", "--io-threads", "--threads",
                                 "--compare-cpu"):
                        if flag in text:
                            flags.add(flag)
                self.meta["perf_flags"] = sorted(self.perf_flags)
                self.meta["run_flags"] = sorted(self.run_flags)
        if self.mh_error:
            log(f"modelhost: {self.mh_error}")
        sec.close()

    # --- rows ----------------------------------------------------------------------------------

    def add(self, **row):
        row.setdefault("status", "ok")
        if row["status"] == "skipped" and str(row.get("error", "")).startswith("skipped: "):
            row["error"] = row["error"][len("skipped: "):]
        self.rows.append(row)
        what = f"{row.get('section')} {row.get('model')} {row.get('engine')} {row.get('mode')}"
        what += f" b{row.get('batch')}" + (f" io={row['io']}" if row.get("io") else "")
        if row["status"] == "ok" and row.get("items_per_s") is not None:
            log(f"{what}: {row['items_per_s']:.1f} items/s, p50 {row.get('p50_ms', 0):.3f} ms")
        else:
            log(f"{what}: {row['status']}: {row.get('error', '')}"[:300])
        return row

    def find(self, **match):
        for r in self.rows:
            if all(r.get(k) == v for k, v in match.items()):
                return r
        return None

    def ok_value(self, key="items_per_s", **match):
        r = self.find(**match)
        return r.get(key) if r and r.get("status") == "ok" else None

    # --- PyTorch -------------------------------------------------------------------------------

    def planned_torch(self, modes, batches, host_io):
        cuda = self.prof["torch_device"] == "cuda"
        plan = []
        for mode in modes:
            for b in batches:
                plan.append((mode, b, "device"))
                if host_io and "fp16" in mode and cuda:
                    plan.append((mode, b, "host"))
        return plan

    def torch_child(self, model, tag, modes, batches, cap, export, compile_budget=None):
        sec = Section(self, f"pytorch {tag} {model}", cap)
        host_io = True
        plan = self.planned_torch(modes, batches, host_io)
        section = "pytorch"
        if sec.cap < 15:
            for mode, b, io in plan:
                self.add(section=section, model=model, engine="pytorch", mode=mode, batch=b,
                         io=io, device=self.prof["torch_device"], status="skipped",
                         error=f"skipped: the time budget ({self.budget.total:.0f} s) was spent")
            if export:
                self.exports[model] = {"ok": False, "error": "not exported: no time left"}
            sec.close()
            return
        t = self.prof["torch"]
        rows_path = os.path.join(self.raw, f"torch_{tag}_{model}.jsonl")
        if os.path.exists(rows_path):
            os.remove(rows_path)
        cmd = [self.python, os.path.join(HERE, "torch_bench.py"), "--model", model,
               "--rows", rows_path, "--device", self.prof["torch_device"],
               "--modes", ",".join(modes), "--batches", ",".join(map(str, batches)),
               "--seq", str(self.prof["seq"]), "--measure-s", str(t["measure_s"]),
               "--warmup-s", str(t["warmup_s"]), "--min-warmup", str(t["min_warmup"]),
               "--min-iters", str(t["min_iters"]), "--max-iters", str(t["max_iters"])]
        if host_io:
            cmd.append("--host-io")
        if export and self.args.reuse_models and os.path.exists(self.onnx_path(model)):
            self.exports[model] = {"ok": True, "file": f"{model}.onnx", "exporter": "reused",
                                   "bytes": os.path.getsize(self.onnx_path(model)),
                                   "note": "--reuse-models: exported by an earlier run"}
        elif export:
            cmd += ["--export-dir", self.models_dir]
        if compile_budget is not None:
            cmd += ["--compile-budget-s", f"{compile_budget:.0f}"]
        if self.prof["torch_device"] == "cpu":
            cmd += ["--threads", str(self.cpu_threads)]
        log(f"PyTorch {tag} {model}: up to {sec.cap:.0f} s")
        r = run_cmd(cmd, sec.cap, os.path.join(self.logs, f"torch_{tag}_{model}"),
                    self.torch_env)
        recs = self._read_jsonl(rows_path)
        if (not any(x["kind"] == "env" for x in recs) and r["rc"] not in (0, None)
                and not self.torch_env_retried and self.torch_env.get("LD_LIBRARY_PATH")):
            # torch may not import with the CUDA toolkit's libraries first on the path.
            self.torch_env_retried = True
            env = dict(self.torch_env)
            env.pop("LD_LIBRARY_PATH", None)
            log("PyTorch did not start with this LD_LIBRARY_PATH; trying without it")
            r2 = run_cmd(cmd, sec.left(), os.path.join(self.logs, f"torch_{tag}_{model}_retry"),
                         env)
            recs2 = self._read_jsonl(rows_path)
            if any(x["kind"] == "env" for x in recs2):
                self.torch_env, r, recs = env, r2, recs2
                self.meta["torch_env_note"] = "PyTorch ran without LD_LIBRARY_PATH"
        why_end = (f"timed out after {sec.cap:.0f} s" if r["timed_out"] else
                   "could not start" if r["rc"] is None else
                   f"exited with status {r['rc']}" if r["rc"] != 0 else None)
        detail = last_error_line(r["err"]) if r["rc"] != 0 and not r["timed_out"] else ""
        seen, started = set(), None
        for rec in recs:
            kind = rec["kind"]
            if kind == "env":
                self.meta.setdefault("torch_env", {k: v for k, v in rec.items()
                                                   if k not in ("kind", "model", "t")})
            elif kind == "built":
                self.meta.setdefault("weights_checksum", {}).setdefault(model, []).append(
                    rec.get("weights_checksum"))
            elif kind == "export":
                self.exports[model] = {k: v for k, v in rec.items()
                                       if k not in ("kind", "model", "t")}
            elif kind == "start":
                started = (rec["mode"], rec["batch"], rec.get("io", "device"))
            elif kind == "row":
                fields = {k: v for k, v in rec.items() if k not in ("kind", "model", "t")}
                key = (fields.get("mode"), fields.get("batch"), fields.get("io", "device"))
                seen.add(key)
                self.add(section=section, model=model, **fields)
        if export and model not in self.exports:
            self.exports[model] = {"ok": False, "error": f"the PyTorch process {why_end or 'ended'}"
                                   f" before exporting: {detail or r['err'][-300:]}"}
        for mode, b, io in plan:
            if (mode, b, io) in seen:
                continue
            if started and (mode, b) == started[:2]:
                err = f"the PyTorch process {why_end or 'ended'} during this measurement"
                err += " (compiling)" if mode.startswith("compile") else ""
            else:
                err = f"not run: the PyTorch process {why_end or 'ended'} before it"
            if detail:
                err += f": {detail}"
            self.add(section=section, model=model, engine="pytorch", mode=mode, batch=b, io=io,
                     device=self.prof["torch_device"],
                     status="timeout" if r["timed_out"] else "error", error=err)
        sec.close()

    @staticmethod
    def _read_jsonl(path):
        recs = []
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        try:
                            recs.append(json.loads(line))
                        except ValueError:
                            pass
        return recs

    # --- modelhost perf ------------------------------------------------------------------------

    def onnx_path(self, model):
        return os.path.join(self.models_dir, f"{model}.onnx")

    def model_missing(self, model):
        if not self.mh_ok:
            return self.mh_error
        if not os.path.exists(self.onnx_path(model)):
            e = self.exports.get(model, {})
            return f"no {model}.onnx: the export failed ({e.get('error', 'not attempted')})"
        return None

    def perf_cmd(self, model, device, precision, batch, iters, warmup, threads, compare=False):
        cmd = [self.modelhost, "perf", self.onnx_path(model), "--batch", str(batch)]
        if MODELS[model]["text"]:
            cmd += ["--seq", str(self.prof["seq"])]
        cmd += ["--iterations", str(iters), "--warmup", str(warmup), "--profile-runs", "0"]
        if device != "cpu" or "--device" in self.perf_flags:
            cmd += ["--device", device]
        if device != "cpu":
            cmd += ["--precision", precision]
        if threads:
            cmd += ["--threads", str(threads)]
        if compare:
            cmd.append("--compare-cpu")  # after the timed runs: one CPU run, outputs compared
        return cmd + ["--json"]

    def perf_series(self, section, model, device, precision, batches, threads, knobs, sec):
        """modelhost perf over the batches, each run sized from the one before."""
        label = device
        base = dict(section=section, model=model, engine="modelhost", mode=precision,
                    device=label, io="host", seq=self.prof["seq"] if MODELS[model]["text"] else None,
                    threads=threads)
        missing = self.model_missing(model)
        if device == "cpu" and precision != "fp32":
            missing = "fp16 needs a CUDA device (modelhost computes in fp32 on the CPU)"
        elif device != "cpu" and "--device" not in self.perf_flags and not missing:
            missing = "this modelhost's perf has no --device flag (it predates GPU perf)"
        stop = missing
        prev = None  # (batch, p50 ms)
        slow = False
        for b in batches:
            if stop:
                self.add(**base, batch=b, status="skipped",
                         error=stop if missing else f"skipped: {stop}")
                continue
            need = MODELS[model]["load_s"] if prev is None else 5
            if sec.left() < min(need, 10) or self.budget.left() < 5:
                self.add(**base, batch=b, status="skipped",
                         error=f"skipped: the time cap of this section ({sec.cap:.0f} s) or the "
                               f"budget ({self.budget.total:.0f} s) was spent")
                continue
            if prev is None:
                iters, warm, est_s = knobs["first_iters"], knobs["first_warmup"], None
                timeout = MODELS[model]["load_s"] + knobs["run_cap_s"]
            else:
                est_s = max(1e-4, prev[1] / 1000.0 * b / prev[0])  # linear: an upper bound
                min_it = 2 if slow else knobs["min_iters"]
                cap = min(knobs["run_cap_s"], 15) if slow else knobs["run_cap_s"]
                if slow and 3 * est_s > cap:
                    self.add(**base, batch=b, status="skipped",
                             error=f"skipped: at batch {prev[0]}'s speed ({prev[1]:.0f} ms, CPU "
                                   f"speed) batch {b} would take about {3 * est_s:.0f} s")
                    continue
                iters = int(max(min_it, min(knobs["max_iters"], knobs["target_s"] / est_s)))
                warm = max(1, min(10, iters // 10))
                if (iters + warm) * est_s > cap:
                    warm = 1
                    iters = max(2, int(cap / est_s) - warm)
                timeout = MODELS[model]["load_s"] + 2.5 * (iters + warm) * est_s + 15
            timeout = min(timeout, sec.left(), self.budget.left() + 20)
            compare = prev is None and device != "cpu" and "--compare-cpu" in self.perf_flags
            cmd = self.perf_cmd(model, device, precision, b, iters, warm, threads, compare)
            tag = f"perf_{section}_{model}_{label.replace(':', '')}_{precision}_b{b}"
            r = run_cmd(cmd, timeout, os.path.join(self.logs, tag), self.mh_env)
            row = dict(base, batch=b, iterations=iters, warmup=warm, command=shlex.join(cmd),
                       wall_s=r["wall_s"])
            fallback = [ln.strip() for ln in r["err"].splitlines() if FALLBACK_RE.search(ln)]
            notes = []
            if fallback and device != "cpu":
                notes.append("modelhost logged that it ran on the CPU: " + fallback[0][:200])
            if r["timed_out"]:
                self.add(**row, status="timeout", error=f"timed out after {timeout:.0f} s "
                         f"({iters} iterations + {warm} warmup)", notes=notes)
                stop = f"batch {b} timed out"
                continue
            if r["rc"] != 0:
                err = last_error_line(r["err"] + "\n" + r["out"]) or "(no output)"
                self.add(**row, status="error", error=f"modelhost perf exit {r['rc']}: {err}",
                         notes=notes)
                if r["rc"] in (2, 3, None, -9, 127):
                    stop = f"batch {b} failed with exit {r['rc']}"
                continue
            try:
                j = json.loads([ln for ln in r["out"].splitlines() if ln.startswith("{")][-1])
            except (IndexError, ValueError) as exc:
                self.add(**row, status="error", error=f"no JSON from modelhost perf: {exc}")
                continue
            with open(os.path.join(self.raw, tag + ".json"), "w") as f:
                json.dump(j, f, indent=1)
            lat = j.get("latency_ms", {})
            extra = {k: v for k, v in j.items() if k not in PERF_KEYS}
            if str(extra.get("device", device)).lower() == "cpu" and device != "cpu":
                notes.append("modelhost perf's JSON says device cpu")
            placement = summarize_placement(j.get("placement"))
            if device != "cpu" and placement is not None:
                if not placement["device"]:  # (CPU nodes of a GPU run: the placement table)
                    notes.append("no node was placed on the GPU (placement.device is empty)")
            self.add(**row, p50_ms=lat.get("p50"), p90_ms=lat.get("p90"), p99_ms=lat.get("p99"),
                     mean_ms=lat.get("mean"), min_ms=lat.get("min"),
                     items_per_s=j.get("throughput", {}).get("inferences_per_s"),
                     load_ms=j.get("load_ms"), batch_reported=j.get("batch"),
                     peak_rss_mib=j.get("memory", {}).get("peak_rss_mib"), extra=extra,
                     placement=placement, compare_cpu=j.get("compare_cpu") or None, notes=notes)
            if model not in self.graphs or (device != "cpu" and
                                            self.graphs[model]["device"] == "cpu"):
                oc = j.get("op_counts", {})
                passes = oc.get("passes", [])
                self.graphs[model] = {"device": device, "loaded": oc.get("loaded", {}),
                                      "passes": [{"name": p.get("name"),
                                                  "op_counts": p.get("op_counts", {})}
                                                 for p in passes],
                                      "final": passes[-1].get("op_counts", {}) if passes else {}}
            p50 = lat.get("p50") or 0.0
            prev = (b, p50)
            if device != "cpu" and (fallback or p50 / b > knobs.get("slow_ms_per_item", 1e9)):
                slow = True

    def engine_section(self, name, device, precision, batches, threads, knobs, cap):
        sec = Section(self, name, cap)
        section = "cpu" if name == "cpu" else "engine"
        log(f"modelhost {name} ({device} {precision}): up to {sec.cap:.0f} s")
        for model in MODELS:
            self.perf_series(section, model, device, precision, batches, threads, knobs, sec)
        sec.close()

    # --- the served path -----------------------------------------------------------------------

    def served_section(self, device, precision, cap):
        sec = Section(self, "served", cap)
        s = self.prof["served"]
        log(f"served path ({device} {precision}, batch {s['batch']}): up to {sec.cap:.0f} s")
        for i, model in enumerate(MODELS):
            share = sec.left() / (len(MODELS) - i)
            self.served_one(model, device, precision, s, min(share, sec.left()))
        sec.close()

    def served_one(self, model, device, precision, s, cap):
        start = time.monotonic()
        left = lambda: cap - (time.monotonic() - start)  # noqa: E731
        base = dict(section="served", model=model, engine="modelhost run", mode=precision,
                    device=device, io="http", batch=s["batch"],
                    seq=self.prof["seq"] if MODELS[model]["text"] else None,
                    concurrency=s["concurrency"], client_processes=s["processes"])
        missing = self.model_missing(model)
        if missing:
            return self.add(**base, status="skipped", error=missing)
        if cap < s["warmup_s"] + s["duration_s"] + 8:
            return self.add(**base, status="skipped",
                            error=f"skipped: {cap:.0f} s left for it, the time budget was spent")
        cmd = [self.modelhost, "run", "--model", self.onnx_path(model), "--name", model,
               "--host", "127.0.0.1", "--http-port", "0", "--max-batch-size", str(s["batch"]),
               "--request-timeout-ms", "120000", "--drain-timeout-s", "2", "--max-body-mb", "256",
               "--log-level", "info"]
        if "--io-threads" in self.run_flags:
            cmd += ["--io-threads", str(s["io_threads"])]
        if device != "cpu" or "--device" in self.run_flags:
            cmd += ["--device", device, "--precision", precision]
        log_base = os.path.join(self.logs, f"served_{model}")
        err_f = open(log_base + ".log", "wb")
        err_f.write(("$ " + shlex.join(cmd) + "\n").encode())
        err_f.flush()
        base["command"] = shlex.join(cmd)
        try:
            proc = subprocess.Popen(cmd, stdout=err_f, stderr=err_f, env=self.mh_env,
                                    start_new_session=True)
        except OSError as exc:
            err_f.close()
            return self.add(**base, status="error", error=f"cannot start modelhost run: {exc}")
        try:
            port, text = None, ""
            deadline = time.monotonic() + min(MODELS[model]["load_s"] + 30, max(5, left() - 12))
            while time.monotonic() < deadline:
                with open(log_base + ".log", "rb") as f:
                    text = f.read().decode("utf-8", "replace")
                m = re.search(r'listening.*?\bport\W{1,3}(\d+)', text)
                if m:
                    port = int(m.group(1))
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
            if port is None:
                why = (f"exited with status {proc.returncode}" if proc.poll() is not None
                       else "did not log its port in time")
                return self.add(**base, status="error", error=f"modelhost run {why}: "
                                f"{last_error_line(text) or '(no output)'}")
            notes = []
            fb = [ln for ln in text.splitlines() if FALLBACK_RE.search(ln)]
            if fb and device != "cpu":
                notes.append("modelhost run logged that the model runs on the CPU: " +
                             fb[0].strip()[:200])
            res = self.drive(model, port, s, left)
            res_notes = res.pop("notes", [])
            if res.get("error"):
                return self.add(**base, status="error", port=port, notes=notes + res_notes, **res)
            engine = self.ok_value(section="engine", model=model, mode=precision,
                                   batch=s["batch"], device=device)
            ratio = res["items_per_s"] / engine if engine else None
            return self.add(**base, port=port, engine_items_per_s=engine, served_over_engine=ratio,
                            notes=notes + res_notes, **res)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=8)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            err_f.close()

    def drive(self, model, port, s, left):
        """Runs the client processes against the server; merges their results."""
        procs = s["processes"]
        conc = s["concurrency"]
        threads = [conc // procs + (1 if i < conc % procs else 0) for i in range(procs)]
        t0 = time.monotonic() + 2.0  # the clients build their request first
        outs, children = [], []
        for i, n in enumerate(threads):
            if n == 0:
                continue
            out = os.path.join(self.raw, f"served_{model}_client{i}.json")
            if os.path.exists(out):
                os.remove(out)
            cmd = [sys.executable, os.path.join(HERE, "oip_client.py"), "--port", str(port),
                   "--model", model, "--batch", str(s["batch"]), "--seq", str(self.prof["seq"]),
                   "--threads", str(n), "--t0", f"{t0:.6f}", "--warmup-s", str(s["warmup_s"]),
                   "--duration-s", str(s["duration_s"]), "--timeout-s", "60", "--out", out]
            lf = open(os.path.join(self.logs, f"served_{model}_client{i}.log"), "wb")
            children.append((subprocess.Popen(cmd, stdout=lf, stderr=lf,
                                              start_new_session=True), lf))
            outs.append(out)
        wait_until = time.monotonic() + max(10.0, min(left(), 2.0 + s["warmup_s"] +
                                                      s["duration_s"] + 20))
        for p, lf in children:
            try:
                p.wait(timeout=max(1.0, wait_until - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            lf.close()
        lat, completed, errors, first, cpu, wall, req_bytes, resp_bytes = [], 0, 0, None, [], 0, \
            None, None
        n_all, unfinished = 0, 0
        for out in outs:
            if not os.path.exists(out):
                errors += 1
                first = first or "a client process wrote no result (killed or crashed)"
                continue
            with open(out) as f:
                j = json.load(f)
            lat += j.get("latencies_ms", [])
            completed += j.get("completed", 0)
            errors += j.get("errors", 0)
            n_all += j.get("all_requests", 0)
            unfinished += j.get("unfinished_threads", 0)
            first = first or j.get("first_error")
            if j.get("wall_s"):
                cpu.append(j.get("cpu_s", 0) / j["wall_s"])
            req_bytes = req_bytes or j.get("request_body_bytes")
            resp_bytes = resp_bytes or j.get("response_body_bytes")
        res = {"threads_per_process": threads, "window_s": s["duration_s"],
               "warmup_s": s["warmup_s"], "requests": completed, "errors": errors,
               "request_body_bytes": req_bytes, "response_body_bytes": resp_bytes,
               "client_cpu_per_process": [round(c, 2) for c in cpu], "notes": []}
        if completed == 0:
            res["error"] = f"no request completed in the window: {first or 'unknown'}"
            return res
        res.update(items_per_s=s["batch"] * completed / s["duration_s"],
                   requests_per_s=completed / s["duration_s"], p50_ms=percentile(lat, 50),
                   p90_ms=percentile(lat, 90), p99_ms=percentile(lat, 99),
                   mean_ms=sum(lat) / len(lat))
        if errors:
            res["notes"].append(f"{errors} of {n_all} requests failed; first: {first}")
        if unfinished:
            res["notes"].append(f"{unfinished} connection(s) still waited for an answer 5 s after "
                                "the window closed")
        if cpu and max(cpu) > 0.85:
            res["notes"].append(f"a client process used {max(cpu):.0%} of a core: the client may "
                                "be the limit (more --served-processes)")
        return res

    # --- the whole run -------------------------------------------------------------------------

    def run(self):
        p = self.prof
        caps = p["caps"]
        device, cuda = p["device"], p["device"].startswith("cuda")
        primary = "fp16" if cuda else "fp32"
        log(f"output in {self.out}; profile {self.meta['profile']}, budget {self.budget.total:.0f}"
            f" s, device {device}")
        try:
            self.guard("preflight", self.preflight)
            for model in MODELS:
                self.guard(f"pytorch eager {model}", self.torch_child, model, "eager",
                           ["eager-fp32", "eager-fp16"], p["batches"], caps[f"eager_{model}"],
                           export=True)
            self.guard("gpu_primary", self.engine_section, "gpu_primary", device, primary,
                       p["batches"], None, p["gpu_perf"], caps["gpu_primary"])
            self.guard("served", self.served_section, device, primary, caps["served"])
            self.guard("cpu", self.engine_section, "cpu", "cpu", "fp32", p["cpu_batches"],
                       self.cpu_threads, p["cpu_perf"], caps["cpu"])
            self.guard("gpu_secondary", self.engine_section, "gpu_secondary", device,
                       "fp32" if cuda else "fp16", p["batches"], None, p["gpu_perf"],
                       caps["gpu_secondary"])
            models = list(MODELS)
            for i, model in enumerate(models):
                cap = (self.budget.left() - 3) / (len(models) - i)
                self.guard(f"pytorch compile {model}", self.torch_child, model, "compile",
                           ["compile-fp16"], p["compile_batches"], cap, export=False,
                           compile_budget=max(0.0, cap - 35))
        finally:
            self.meta["wall_s"] = round(self.budget.elapsed(), 1)
            self.write()
        log(f"done in {self.meta['wall_s']:.0f} s: {os.path.join(self.out, 'results.md')}")
        return 0

    def guard(self, name, fn, *args, **kwargs):
        """Runs one section; a bug in this script becomes a row, not the end of the run."""
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            import traceback

            with open(os.path.join(self.logs, "internal-errors.log"), "a") as f:
                f.write(f"--- {name}\n{traceback.format_exc()}\n")
            self.add(section=name, model=None, engine="run.py", mode=None, batch=None,
                     status="error", error=f"internal error in run.py ({name}): "
                                           f"{type(exc).__name__}: {exc}")

    # --- report --------------------------------------------------------------------------------

    def graph_check(self):
        out = {}
        for model, g in self.graphs.items():
            final = g["final"]
            if model == "resnet50":
                want = {"FusedConv": 53}
                absent = ["Conv", "Relu", "BatchNormalization"]
            else:
                want = {"FusedAttention": 12, "LayerNormalization": 25, "FusedMatMul": 72}
                absent = ["Gelu", "Erf", "Softmax", "MatMul"]
            problems = [f"{op}: {final.get(op, 0)}, expected {n}" for op, n in want.items()
                        if final.get(op, 0) != n]
            problems += [f"{op} left: {final[op]}" for op in absent if final.get(op)]
            if model == "bert_base" and not any(p["op_counts"].get("Gelu") == 12
                                                for p in g["passes"]):
                problems.append("no pass produced 12 Gelu (GELU not recognised)")
            out[model] = {"ok": not problems, "problems": problems, "device": g["device"],
                          "final": {k: final[k] for k in sorted(final)}}
        return out

    def ratios(self):
        p = self.prof
        dev = p["device"]
        prim = "fp16" if dev.startswith("cuda") else "fp32"
        torch16 = "eager-fp16" if dev.startswith("cuda") else "eager-fp32"
        out = []

        def mh(model, b, mode=prim, device=dev, section="engine"):
            return self.ok_value(section=section, model=model, mode=mode, batch=b, device=device)

        def pt(model, mode, b, io):
            return self.ok_value(section="pytorch", model=model, mode=mode, batch=b, io=io)

        b_lo, b_hi = p["batches"][0], p["batches"][-1]
        ios = ("host", "device") if prim == "fp16" else ("device",)
        for model in MODELS:
            for io in ios:
                a, c = mh(model, b_lo), pt(model, torch16, b_lo, io)
                out.append({"check": f"modelhost {prim} / PyTorch {torch16}, batch {b_lo}",
                            "model": model, "io": io, "value": a / c if a and c else None,
                            "target": 1.5, "kind": "ratio"})
            for io in ios:
                a, c = mh(model, b_hi), pt(model, "compile-fp16", b_hi, io)
                out.append({"check": f"modelhost {prim} / torch.compile fp16, batch {b_hi}",
                            "model": model, "io": io, "value": a / c if a and c else None,
                            "target": 1.0, "kind": "ratio"})
            out.append({"check": f"modelhost {prim} throughput, batch {b_hi}", "model": model,
                        "value": mh(model, b_hi),
                        "target": 20000 if model == "resnet50" else 8000, "kind": "abs"})
            sv = self.find(section="served", model=model)
            out.append({"check": f"served / engine, batch {p['served']['batch']}", "model": model,
                        "value": sv.get("served_over_engine") if sv else None, "target": 0.8,
                        "kind": "ratio"})
            for b in p["cpu_batches"]:
                for mode in ("fp16", "fp32"):
                    a = mh(model, b, mode=mode)
                    c = mh(model, b, mode="fp32", device="cpu", section="cpu")
                    out.append({"check": f"modelhost GPU {mode} / CPU ({self.cpu_threads} threads),"
                                         f" batch {b}", "model": model,
                                "value": a / c if a and c else None, "target": None,
                                "kind": "ratio"})
        return out

    def write(self):
        ratios = self.ratios()
        graphs = self.graph_check()
        doc = {"meta": self.meta, "exports": self.exports, "graph_check": graphs,
               "ratios": ratios, "sections": self.sections, "rows": self.rows}
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(doc, f, indent=1)
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(render_md(self, ratios, graphs))
        if self.work != self.out:
            import tarfile

            with tarfile.open(os.path.join(self.out, "details.tar.gz"), "w:gz") as tar:
                for d in (self.logs, self.raw):
                    tar.add(d, arcname=os.path.basename(d))


# --- Markdown -------------------------------------------------------------------------------------


def fmt_items(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 100 else f"{v:.0f}"


def md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_md(bench: Bench, ratios, graphs) -> str:
    p, meta = bench.prof, bench.meta
    tenv = meta.get("torch_env", {})
    gpu = tenv.get("gpu") or (meta.get("nvidia_smi") or "").split(",")[0] or "no GPU found"
    if p["device"] == "cpu":
        gpu = f"quick run on the CPU ({gpu})"
    errors = []

    def note(text):
        if text not in errors:
            errors.append(text)
        return f"[E{errors.index(text) + 1}]"

    def cell(r):
        if r is None:
            return "–"
        if r.get("status") == "ok" and r.get("items_per_s") is not None:
            c = f"{fmt_items(r['items_per_s'])} ({fmt_ms(r.get('p50_ms'))})"
            for n in r.get("notes") or []:
                c += " " + note(n)
            return c
        err = r.get("error") or r.get("status")
        if r.get("status") == "skipped":
            return f"skipped {note(err)}"
        short = err if len(err) <= 60 else err[:57] + "..."
        return f"{r['status']}: {md_escape(short)} {note(err)}"

    L = []
    L.append(f"# modelhost vs PyTorch on {gpu}\n")
    bits = [f"GPU: **{gpu}**"]
    if meta.get("nvidia_smi"):
        bits.append(f"nvidia-smi: {meta['nvidia_smi']}")
    if tenv:
        bits.append(f"PyTorch {tenv.get('torch')} (CUDA {tenv.get('torch_cuda')}, cuDNN "
                    f"{tenv.get('cudnn')}), Python {tenv.get('python')}")
    bits.append(f"modelhost: {meta.get('modelhost_version') or bench.mh_error}")
    bits.append(f"{meta['started_utc']}, {meta['cpus']} CPUs, profile `{meta['profile']}`, "
                f"wall time {meta.get('wall_s', 0):.0f} s of a {meta['budget_s']:.0f} s budget")
    L.append("\n".join(f"- {b}" for b in bits) + "\n")
    L.append("Items/s are images/s (ResNet-50) or sequences/s (BERT-base, sequence "
             f"{p['seq']}); cells read `items/s (p50 ms)`. modelhost perf times Session::run from "
             "host inputs to host outputs; PyTorch rows say whether their tensors stayed on the "
             "device (`device`) or were copied from and back to host memory like modelhost's "
             "(`host`). PyTorch: wall clock per call with torch.cuda.synchronize(), after warmup;"
             " p50 = median call; items/s = batch / mean call. See docs/benchmarks.md.\n")

    L.append("## Against the targets\n")
    L.append("| check | tensors | " + " | ".join(MODELS[m]["label"] for m in MODELS) +
             " | target |")
    L.append("|---|---|" + "---:|" * len(MODELS) + "---|")
    seen = []
    for r in ratios:
        key = (r["check"], r.get("io"))
        if key in seen:
            continue
        seen.append(key)
        cells = []
        for m in MODELS:
            x = next((y for y in ratios if (y["check"], y.get("io")) == key and y["model"] == m),
                     None)
            v = x["value"] if x else None
            if v is None:
                cells.append("–")
                continue
            if r["kind"] == "abs":
                tgt = x["target"]
                cells.append(f"{fmt_items(v)} ({'met' if v >= tgt else 'not met'})")
            else:
                t = x["target"]
                cells.append(f"{v:.2f}x" + (f" ({'met' if v >= t else 'not met'})" if t else ""))
        if r["kind"] == "abs":
            target = " / ".join(f">= {y['target']:,} {MODELS[y['model']]['unit']}"
                                for y in ratios if (y["check"], y.get("io")) == key)
            target += " (H100)"
        else:
            target = f">= {r['target']}x" if r["target"] else "–"
        io = {"host": "host I/O (same work)", "device": "PyTorch device-resident"}.get(
            r.get("io"), "")
        L.append(f"| {r['check']} | {io} | " + " | ".join(cells) + f" | {target} |")
    L.append("")

    prim = "fp16" if p["device"].startswith("cuda") else "fp32"
    sec_mode = "fp32" if prim == "fp16" else "fp16"
    for model in MODELS:
        info = MODELS[model]
        seq = f", sequence {p['seq']}" if info["text"] else ""
        L.append(f"## {info['label']}{seq}: {info['unit']} (p50 ms)\n")
        bs = p["batches"]
        L.append("| engine | precision | device | tensors | " +
                 " | ".join(f"batch {b}" for b in bs) + " |")
        L.append("|---|---|---|---|" + "---:|" * len(bs))
        lines = [("modelhost perf", "engine", prim, p["device"], "host", None),
                 ("modelhost perf", "engine", sec_mode, p["device"], "host", None),
                 ("PyTorch eager", "pytorch", "eager-fp32", None, "device", "fp32"),
                 ("PyTorch eager", "pytorch", "eager-fp16", None, "device", "fp16"),
                 ("PyTorch eager", "pytorch", "eager-fp16", None, "host", "fp16"),
                 ("torch.compile", "pytorch", "compile-fp16", None, "device", "fp16"),
                 ("torch.compile", "pytorch", "compile-fp16", None, "host", "fp16"),
                 (f"modelhost perf, {bench.cpu_threads} threads", "cpu", "fp32", "cpu", "host",
                  None)]
        for label, section, mode, dev, io, prec in lines:
            match = dict(section=section, model=model, mode=mode)
            if dev:
                match["device"] = dev
            if section == "pytorch":
                match["io"] = io
            cells = [cell(bench.find(**match, batch=b)) for b in bs]
            if all(c == "–" for c in cells):
                continue
            L.append(f"| {label} | {prec or mode} | {dev or p['torch_device']} | {io} | " +
                     " | ".join(cells) + " |")
        L.append("")
        comp = [r for r in bench.rows if r.get("model") == model and
                r.get("mode") == "compile-fp16" and r.get("compile_s") is not None and
                r.get("io") == "device"]
        if comp:
            L.append("torch.compile time (first call, default mode, dynamic=False): " +
                     ", ".join(f"batch {r['batch']} {r['compile_s']:.0f} s" for r in comp) + "\n")

    L.append(f"## Served path: `modelhost run` over HTTP vs the engine\n")
    s = p["served"]
    L.append(f"Open Inference Protocol with binary tensors, batch {s['batch']} per request, "
             f"{s['concurrency']} connections from {s['processes']} client process(es) "
             f"(bench/gpu/oip_client.py), {s['warmup_s']:.0f} s warmup then "
             f"{s['duration_s']:.0f} s counted; `--max-batch-size {s['batch']}`, so each "
             "execution is one request. Engine: modelhost perf at the same batch and precision.\n")
    L.append("| model | precision | served items/s | requests/s | p50 ms | p99 ms | engine items/s "
             "| served / engine | request / response bytes | client CPU | note |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for model in MODELS:
        r = bench.find(section="served", model=model)
        if not r:
            continue
        if r["status"] != "ok":
            L.append(f"| {MODELS[model]['label']} | {r.get('mode')} | {cell(r)} | | | | | | | | |")
            continue
        ratio = r.get("served_over_engine")
        notes = " ".join(note(n) for n in r.get("notes") or [])
        L.append(f"| {MODELS[model]['label']} | {r['mode']} | {fmt_items(r['items_per_s'])} | "
                 f"{r['requests_per_s']:.1f} | {fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} | "
                 f"{fmt_items(r.get('engine_items_per_s'))} | "
                 f"{'%.2f' % ratio if ratio else '–'} | "
                 f"{r.get('request_body_bytes') or 0:,} / {r.get('response_body_bytes') or 0:,} | "
                 f"{', '.join('%.0f%%' % (c * 100) for c in r.get('client_cpu_per_process', []))}"
                 f" | {notes} |")
    L.append("")

    L.append("## Export and graph check\n")
    L.append("| model | export | after modelhost's passes | check |")
    L.append("|---|---|---|---|")
    for model in MODELS:
        e = bench.exports.get(model, {})
        if e.get("ok"):
            exp = (f"{e.get('exporter')}, opset {e.get('opset')}, {e.get('bytes', 0) / 1e6:.0f} MB"
                   f" in {e.get('export_s')} s")
        else:
            exp = f"failed: {md_escape(e.get('error', 'not attempted'))}"
        g = graphs.get(model)
        if g:
            keys = ["FusedConv", "FusedAttention", "FusedMatMul", "LayerNormalization", "Gemm"]
            shown = ", ".join(f"{k} {g['final'][k]}" for k in keys if k in g["final"])
            chk = "as the fixtures" if g["ok"] else "differs: " + md_escape("; ".join(
                g["problems"]))
        else:
            shown, chk = "–", "no successful modelhost perf run"
        L.append(f"| {MODELS[model]['label']} | {exp} | {shown} | {chk} |")
    L.append("")
    acc = [r for r in bench.rows if r.get("compare_cpu") and r.get("status") == "ok"]
    if acc:
        L.append("Outputs of the first GPU run of each series against the CPU engine on the same "
                 "inputs (`modelhost perf --compare-cpu`):\n")
        L.append("| model | precision | batch | output | max abs diff | max rel diff | mean abs diff |")
        L.append("|---|---|---:|---|---:|---:|---:|")
        for r in acc:
            for d in r["compare_cpu"]:
                if d.get("comparable"):
                    L.append(f"| {MODELS[r['model']]['label']} | {r['mode']} | {r['batch']} | "
                             f"{d.get('output')} | {d.get('max_abs_diff', 0):.3g} | "
                             f"{d.get('max_rel_diff', 0):.3g} | {d.get('mean_abs_diff', 0):.3g} |")
                else:
                    L.append(f"| {MODELS[r['model']]['label']} | {r['mode']} | {r['batch']} | "
                             f"{d.get('output')} | {md_escape(d.get('note', ''))} | | |")
        L.append("")
    placed = [r for r in bench.rows if r.get("placement") and r.get("status") == "ok"
              and r.get("device") != "cpu" and r.get("section") == "engine"]
    seen_pl = set()
    lines_pl = []
    for r in placed:
        key = (r["model"], r["mode"])
        if key in seen_pl:
            continue
        seen_pl.add(key)
        pl = r["placement"]
        lines_pl.append(f"| {MODELS[r['model']]['label']} | {r['mode']} | {pl['device'] or '(none)'}"
                        f" | {pl.get('device_nodes')} | {pl['cpu_nodes']} | "
                        f"{md_escape(pl['cpu_ops']) or '–'} | {pl['copies']} |")
    if lines_pl:
        L.append("Where modelhost placed the nodes (`placement` in modelhost perf's JSON):\n")
        L.append("| model | precision | device | nodes on it | nodes on the CPU | CPU op types | "
                 "copies per run |")
        L.append("|---|---|---|---:|---:|---|---:|")
        L += lines_pl
        L.append("")
    sums = meta.get("weights_checksum", {})
    if any(len(v) > 1 for v in sums.values()):
        same = all(len(set(v)) == 1 for v in sums.values())
        L.append("The PyTorch processes built " + ("the same" if same else "**different**") +
                 " weights (checksums: " + "; ".join(f"{m} {', '.join('%.6g' % x for x in v)}"
                                                     for m, v in sums.items()) + ").\n")

    if errors:
        L.append("## Errors and notes\n")
        for i, e in enumerate(errors, 1):
            L.append(f"- E{i}: {md_escape(e)}")
        L.append("")

    L.append("## Sections\n")
    L.append("| section | cap s | wall s |")
    L.append("|---|---:|---:|")
    for s_ in bench.sections:
        L.append(f"| {s_['name']} | {s_['cap_s']:.0f} | {s_['wall_s']:.1f} |")
    L.append("")
    cmds = [r["command"] for r in bench.rows if r.get("command")]
    if cmds:
        L.append("## Commands (modelhost)\n")
        L.append("```")
        L += cmds
        L.append("```")
    return "\n".join(L) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("out", help="output folder (created)")
    ap.add_argument("--modelhost", help="the modelhost binary")
    ap.add_argument("--quick", action="store_true", help="CPU-only plumbing check, small")
    ap.add_argument("--budget-s", type=float, default=None,
                    help="total wall-time budget (default 300, quick 1200)")
    ap.add_argument("--python", help="interpreter with torch for the PyTorch pieces "
                                     "(default: this one)")
    ap.add_argument("--cpu-threads", type=int, default=None,
                    help="threads for modelhost on the CPU (default min(16, CPUs))")
    ap.add_argument("--scratch", metavar="DIR",
                    help="put models/, logs/ and raw/ in DIR; OUT then holds only results.md, "
                         "results.json and details.tar.gz (logs/ and raw/)")
    ap.add_argument("--reuse-models", action="store_true",
                    help="keep OUT/models/*.onnx from an earlier run instead of exporting again "
                         "(for working on this script)")
    ap.add_argument("--device", help="modelhost's device for the GPU pieces (default cuda:0, or cpu "
                                     "with --quick); PyTorch keeps the profile's")
    ap.add_argument("--served-processes", type=int, default=None)
    ap.add_argument("--served-concurrency", type=int, default=None)
    args = ap.parse_args(argv)
    bench = Bench(args)
    if args.device:
        bench.prof["device"] = args.device
    if args.served_processes:
        bench.prof["served"]["processes"] = args.served_processes
    if args.served_concurrency:
        bench.prof["served"]["concurrency"] = args.served_concurrency
    try:
        return bench.run()
    except KeyboardInterrupt:
        bench.meta["interrupted"] = True
        bench.write()
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
