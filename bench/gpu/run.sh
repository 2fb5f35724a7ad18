#!/usr/bin/env bash
# The GPU benchmark, modelhost vs PyTorch, in one run (bench/gpu/README.md):
#
#   bench/gpu/run.sh OUT MODELHOST_BIN [--quick] [--budget-s S] [more run.py flags]
#
# OUT: output folder (results.md, results.json, logs/, raw/, models/ with the exported ONNX
# files). MODELHOST_BIN: the modelhost binary to time; a lib/ folder beside it is put on the
# library path (for a bundle that carries its own libraries). --quick: the CPU-only plumbing
# check for a machine without a GPU. The Python with torch is $PYTHON, else the first of python3,
# /usr/bin/python3 and .venv-export/bin/python that has torch. About 4.5 minutes on an H100;
# never much over --budget-s (default 300). Exit status 0 unless the arguments are wrong: failed
# pieces are rows in the results.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: bench/gpu/run.sh OUT MODELHOST_BIN [--quick] [run.py flags]"
out=${1:?$usage}
bin=${2:?$usage}
shift 2

py=${PYTHON:-}
if [ -z "$py" ]; then
  for c in python3 /usr/bin/python3 "$here/../../.venv-export/bin/python"; do
    if command -v "$c" >/dev/null 2>&1 &&
       "$c" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)' \
         >/dev/null 2>&1; then
      py=$c
      break
    fi
  done
fi
if [ -z "$py" ]; then
  echo "gpu-bench: no Python with torch found (set PYTHON); PyTorch pieces will be errors" >&2
  py=python3
fi

# Standalone runs: CUDA's runtime and cuBLASLt for modelhost, as scripts/gpu-check finds them
# (the toolkit, else the nvidia-* wheels of a PyTorch install). Left alone when already set.
if [ -z "${LD_LIBRARY_PATH:-}" ]; then
  dirs=()
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
    [ -d "$d" ] && dirs+=("$d")
  done
  while IFS= read -r d; do dirs+=("$d"); done < <("$py" - <<'PY' 2>/dev/null
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
for r in roots:
    for d in glob.glob(os.path.join(r, "nvidia", "*", "lib")):
        print(d)
PY
)
  if [ ${#dirs[@]} -gt 0 ]; then
    LD_LIBRARY_PATH="$(IFS=:; echo "${dirs[*]}")"
    export LD_LIBRARY_PATH
  fi
fi

exec "$py" "$here/run.py" "$out" --modelhost "$bin" --python "$py" "$@"
