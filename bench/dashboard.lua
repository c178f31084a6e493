-- wrk script of bench/dashboard.sh: GET /api/dashboard for Instagram and YouTube, brand
-- MuscleBlaze, a different date range inside 2025 on every request (each thread its own
-- deterministic sequence). done() prints one line "WRK_RESULT {json}" for the script.
-- usage: wrk -t2 -c64 -d10s -s bench/dashboard.lua http://HOST:PORT

local days_in_month = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

-- Day d of 2025 (0 = 1 January) as an ISO date.
local function iso(d)
   local m = 1
   while d >= days_in_month[m] do
      d = d - days_in_month[m]
      m = m + 1
   end
   return string.format("2025-%02d-%02d", m, d + 1)
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   math.randomseed(7919 * (tid or 1))
end

function request()
   local a, b = math.random(0, 364), math.random(0, 364)
   if a > b then
      a, b = b, a
   end
   return wrk.format("GET", "/api/dashboard?platform=Instagram,YouTube&brand=MuscleBlaze&from="
                        .. iso(a) .. "&to=" .. iso(b))
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,"connect_errors":%d,'
         .. '"read_errors":%d,"write_errors":%d,"timeouts":%d,"latency_us":{"mean":%.1f,'
         .. '"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
      summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
      e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max))
end
