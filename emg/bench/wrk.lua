-- emg bench --api (emg/bench/wrk.py): the requests wrk sends, and the line it ends with.
-- Arguments after `--`: cached|uncached, `from` as days since 1970-01-01, `to` (ISO), and
-- the first miss (days before `from`). Cached repeats one request, which the API's cache
-- answers; uncached moves `from` a day earlier on every request, a new cache entry each
-- time. `from` lies before the data begins, so every request asks the SQL for the same rows
-- and gets the same answer (the bench checks it). One wrk thread: the counter is its own.
local mode, from_day, date_to, next_miss, fixed

local function query(day)
  return wrk.path .. "?from=" .. os.date("!%Y-%m-%d", day * 86400) .. "&to=" .. date_to
end

function init(args)
  mode, from_day, date_to, next_miss = args[1], tonumber(args[2]), args[3], tonumber(args[4])
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("EMG_BENCH_WRK_TOKEN")
  fixed = wrk.format("GET", query(from_day))
end

function request()
  if mode == "cached" then
    return fixed
  end
  local day = from_day - next_miss
  next_miss = next_miss + 1
  return wrk.format("GET", query(day))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'emg-bench-wrk {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeout_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
