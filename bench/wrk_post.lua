-- wrk script: POST a KServe v2 JSON inference request for identity_fp32 (1x16 FP32).
--   wrk -t 2 -c 8 -d 2s --latency -s bench/wrk_post.lua http://127.0.0.1:18555/v2/models/identity_fp32/infer
-- done() prints machine-readable lines (prefix "wrk_post:") that bench/run_perf_analyzer.py parses:
--   requests_per_sec, p50_us, p99_us, non200 (responses whose status is not 200), socket_errors.

local values = {}
for i = 0, 15 do
  values[#values + 1] = string.format("%.1f", i)
end

wrk.method = "POST"
wrk.body = '{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"FP32","data":['
  .. table.concat(values, ",") .. ']}]}'
wrk.headers["Content-Type"] = "application/json"

-- Each wrk thread has its own Lua state; keep a handle on each to sum its counter in done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non200") or 0)
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("wrk_post: requests=%d\n", summary.requests))
  io.write(string.format("wrk_post: requests_per_sec=%.2f\n", summary.requests / seconds))
  io.write(string.format("wrk_post: p50_us=%.1f\n", latency:percentile(50)))
  io.write(string.format("wrk_post: p99_us=%.1f\n", latency:percentile(99)))
  io.write(string.format("wrk_post: non200=%d\n", bad))
  io.write(string.format("wrk_post: socket_errors=%d\n", socket_errors))
end
