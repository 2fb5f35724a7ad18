#!/usr/bin/env bash
# HTTP benchmark of `modelhost run` on identity_fp32: perf_analyzer for binary tensor data, wrk with
# bench/wrk_post.lua for JSON bodies; concurrency 1, 2, 8, 64, three runs each. Prints a markdown table
# and writes it to bench/results/latest.md.
# Options are passed to bench/run_perf_analyzer.py (see --help), e.g.
#   bench/run_perf_analyzer.sh --concurrency 1,8 --repeats 1 --duration 5 -- --max-batch-size 16 --batch-delay-us 200
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/run_perf_analyzer.py "$@"
