-- wrk script: POST JSON bodies with a bearer token; report one JSON line.
--
-- Environment (set by bench/runner/wrk.py):
--   WRK_BODIES  a file with one request body per line; each thread walks the lines round
--               robin from its own offset, so rotating writes (M1, M2) spread over targets
--   WRK_TOKEN   the bearer token
--   WRK_CHECK   "1": read every response and count failures (status >= 300, or a GraphQL
--               error entry: top-level "errors" or a payload's "errors" that is not empty).
--               Off, wrk skips the Lua response hook and does not copy bodies into Lua.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("WRK_BODIES")) do
    if #line > 0 then table.insert(bodies, line) end
  end
  if #bodies == 0 then error("no request bodies in " .. os.getenv("WRK_BODIES")) end
  -- Threads start spread over the list, so that two never walk it side by side.
  local threads_n = tonumber(os.getenv("WRK_THREADS") or "1")
  position = (id or 0) * math.floor(#bodies / threads_n)
  failures = 0
  sent = 0
  sample = ""
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN"),
  }
end

-- Requests sent, not only the responses wrk counts within the duration: those in flight
-- when it stops still run on the server, and the per-request figures divide by what ran.
function request()
  sent = sent + 1
  position = position + 1
  local body = bodies[(position % #bodies) + 1]
  return wrk.format("POST", nil, headers, body)
end

if os.getenv("WRK_CHECK") == "1" then
  function response(status, headers, body)
    if status >= 300 or string.find(body, '"errors"%s*:%s*%[%s*{') then
      failures = failures + 1
      if sample == "" then sample = tostring(status) .. " " .. string.sub(body, 1, 300) end
    end
  end
end

local function escape(text)
  return (string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end))
end

function done(summary, latency, requests)
  local failed, sent_total, sample_out = 0, 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
    sent_total = sent_total + (thread:get("sent") or 0)
    local s = thread:get("sample")
    if s and s ~= "" and sample_out == "" then sample_out = s end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"mean_us":%.1f,"max_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"status_errors":%d,"failures":%d,"sent":%d,' ..
    '"sample":"%s"}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.timeout, e.status,
    failed, sent_total, escape(sample_out)))
end
