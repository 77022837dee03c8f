-- One wrk script for every scenario: method, headers and a body template come from the
-- environment; placeholders make each request a different row, as real traffic is.
--   BENCH_METHOD   GET or POST
--   BENCH_HEADERS  "Name: value" lines
--   BENCH_BODY     path of a body template (optional) with {{DEV}} {{EPOCH}} {{TRANSMIT}} {{TOTAL}}
--                  {{HOUR}} {{N}}
--   BENCH_DEVICES  how many distinct devices/cameras {{DEV}} cycles through
--   BENCH_EPOCH    first minute (Unix seconds) of {{EPOCH}}
--   BENCH_REPEAT   pushes of the same minute per device before it moves to the next (default 1):
--                  a real-time camera's stream of supersedes; {{TRANSMIT}} grows within the
--                  minute and {{TOTAL}} is the running total (1, 2, … REPEAT)
--   BENCH_RATE     requests per second over all threads (default 0: as fast as the server answers)
--   BENCH_PATHS    file of request paths, one a line; a templated request takes the one of its
--                  device (a camera always pushes to its store), others take them in turn
--   BENCH_AUTHS    file of Authorization header values, one a line, taken in turn (one per account)
local threads = {}

-- Pacing (BENCH_RATE): each thread hands out send slots 1/rate apart on the monotonic clock;
-- wrk calls delay() before every request and measures latency from the send, not the slot.
local target_rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
if target_rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk, bench_timespec *tp);
  ]]
  local now_ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now_ts)  -- CLOCK_MONOTONIC
    return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
  end
  local due = nil
  function delay()
    local now = now_ms()
    -- A server that fell more than a second behind is not sent a catch-up burst.
    if due == nil or due < now - 1000 then due = now end
    due = due + 1000 * step / target_rate
    return math.max(0, math.floor(due - now))
  end
end

-- A body template split once into its literal pieces and placeholder names: a request fills
-- the names and joins the pieces, instead of six gsub passes over the whole text. wrk runs on
-- the cores it measures, so its own CPU per request is taken from the server's (six passes
-- over a ~1.4 KB template cost a push request about twice a GET's generator time).
-- A placeholder with no value is kept as written, as gsub would leave it.
local function compile(text)
  local parts, uses, pos = {}, {}, 1
  while true do
    local first, last, name = string.find(text, "{{(%u+)}}", pos)
    if not first then
      table.insert(parts, string.sub(text, pos))
      return { parts = parts, uses = uses }
    end
    table.insert(parts, string.sub(text, pos, first - 1))
    table.insert(parts, { name })
    uses[name] = true
    pos = last + 1
  end
end

local function fill(compiled, values)
  local out = {}
  for i, part in ipairs(compiled.parts) do
    if type(part) == "table" then
      out[i] = values[part[1]] or ("{{" .. part[1] .. "}}")
    else
      out[i] = part
    end
  end
  return table.concat(out)
end

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  if path and path ~= "" then
    for line in io.lines(path) do
      if line ~= "" then table.insert(out, line) end
    end
  end
  return out
end

function init(args)
  counter = 0
  non2xx = 0
  statuses = {}
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  template = nil
  local path = os.getenv("BENCH_BODY")
  if path and path ~= "" then
    local f = assert(io.open(path, "rb"))
    template = compile(f:read("*a"))
    f:close()
  end
  paths = lines(os.getenv("BENCH_PATHS"))
  auths = lines(os.getenv("BENCH_AUTHS"))
  devices = tonumber(os.getenv("BENCH_DEVICES") or "1")
  epoch = tonumber(os.getenv("BENCH_EPOCH") or "1700000000")
  repeats = tonumber(os.getenv("BENCH_REPEAT") or "1")
  -- Threads write disjoint minutes/hours: thread t uses every nth step starting at t.
  step = tonumber(os.getenv("BENCH_THREADS") or "2")
end

function request()
  counter = counter + 1
  local n = counter * step + tid
  local path = nil
  if #auths > 0 then wrk.headers["Authorization"] = auths[(n % #auths) + 1] end
  if template == nil then
    if #paths > 0 then path = paths[(n % #paths) + 1] end
    return wrk.format(nil, path, nil, nil)
  end
  local dev = n % devices
  if #paths > 0 then path = paths[(dev % #paths) + 1] end
  local push = math.floor(n / devices)  -- this device's push number
  local within = push % repeats
  local minute = epoch + 60 * math.floor(push / repeats)
  local transmit = minute + math.floor(within * 60 / repeats)
  local values = {
    DEV = tostring(dev),
    EPOCH = tostring(minute),
    TRANSMIT = tostring(transmit),
    TOTAL = tostring(within + 1),
    N = tostring(n),
  }
  if template.uses.HOUR then values.HOUR = os.date("!%Y-%m-%dT%H:00", epoch + 3600 * push) end
  return wrk.format(nil, path, nil, fill(template, values))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    local s = thread:get("statuses")
    if s then
      for code, count in pairs(s) do
        table.insert(codes, string.format('"%d": %d', code, count))
      end
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, bad, table.concat(codes, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
