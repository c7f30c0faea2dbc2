-- wrk script for pyverifyd: POST /v1/verify with a real bundle.
-- PVD_BENCH_BODY: file holding the JSON request; PVD_BENCH_TOKEN: optional.
local path = assert(os.getenv("PVD_BENCH_BODY"), "set PVD_BENCH_BODY")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = "/v1/verify"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("PVD_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("requests/s: %.0f\n", summary.requests / secs))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%g: %.3f ms\n", p,
                           latency:percentile(p) / 1000))
  end
  local e = summary.errors
  io.write(string.format("errors: %d not 2xx, %d connect, %d read, " ..
                         "%d write, %d timeout\n", e.status, e.connect,
                         e.read, e.write, e.timeout))
end
