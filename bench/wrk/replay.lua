-- Replays prepared requests for bench/load.py and checks every response.
--
--   [THINK_MS=1000] wrk -t2 -c50 -d15s -s bench/wrk/replay.lua http://127.0.0.1:8100 -- FILE STATUS CHECK ONCE
--
-- FILE.<n> holds thread n's requests, one a line: METHOD \t PATH \t COOKIE \t BODY \t HEADER
-- (empty fields allowed; HEADER is one extra "Name: value"). Each thread sends its own
-- requests in order, so two requests of one learner are never in flight together when
-- the file interleaves learners (bench/load.py writes it so).
-- STATUS is the only status a response may have. CHECK is "-", "location:TEXT" (the
-- Location header must contain TEXT), "body:TEXT" (the body must contain TEXT) or
-- "nocookie:" (no Set-Cookie: the app flashes a message, in the session, when it refuses).
-- ONCE is 1 when a request must not be sent twice (a quiz submission, a role-play
-- reply): running out of requests is then reported as "exhausted" (the pool is too small).
-- THINK_MS in the environment makes each connection a user who waits between 0.5 and 1.5
-- times THINK_MS before each request (wrk's delay(); the latency excludes the wait). Without
-- it no delay() is defined, so wrk sends the next request at once.
-- done() prints one line "RESULT {json}" that bench/load.py reads.

local counter = 1
local threads = {}

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   prefix, expected, check, once = args[1], tonumber(args[2]), args[3] or "-", args[4] == "1"
   math.randomseed(id * 7919 + os.time())
   check_kind, check_text = check:match("^(%a+):(.*)$")
   requests = {}
   for line in io.lines(prefix .. "." .. id) do
      local f = split(line)
      local headers = {["User-Agent"] = "lms-bench"}
      if f[3] ~= "" then headers["Cookie"] = f[3] end
      local body = nil
      if f[4] ~= "" then
         body = f[4]
         headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      if f[5] and f[5] ~= "" then
         local name, value = f[5]:match("^([^:]+):%s*(.*)$")
         headers[name] = value
      end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
   end
   index = 0
   primed = id ~= 1
   wrapped = false
   exhausted = 0
   unexpected = 0
   statuses = ""
   seen = {}
end

function request()
   if not primed then
      -- wrk asks the first thread for one request to check its syntax and never sends it
      -- (script_verify_request; checked against the server's log with wrk 4.1.0): hand it the
      -- first request without using it up
      primed = true
      return requests[1]
   end
   index = index + 1
   if index > #requests then
      index = 1
      wrapped = true
   end
   if once and wrapped then
      exhausted = exhausted + 1
   end
   return requests[index]
end

local think = tonumber(os.getenv("THINK_MS") or "0")
if think > 0 then
   -- wrk asks for a delay before a connection's first request too; a browser sends at once, and
   -- gunicorn's gthread worker holds a thread (up to 5 s) for a new connection that sends nothing
   local first_requests = tonumber(os.getenv("CONNECTIONS_PER_THREAD") or "0")
   local delays = 0
   function delay()
      delays = delays + 1
      if delays <= first_requests then
         return 0
      end
      return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
   end
end

function response(status, headers, body)
   local ok = status == expected
   if ok and check_kind == "location" then
      ok = (headers["Location"] or headers["location"] or ""):find(check_text, 1, true) ~= nil
   elseif ok and check_kind == "body" then
      ok = body ~= nil and body:find(check_text, 1, true) ~= nil
   elseif ok and check_kind == "nocookie" then
      ok = headers["Set-Cookie"] == nil and headers["set-cookie"] == nil
   end
   if not ok then
      unexpected = unexpected + 1
      local key = tostring(status)
      if status >= 300 and status < 400 then
         key = key .. " " .. (headers["Location"] or headers["location"] or "")
      end
      if not seen[key] and #statuses < 400 then
         seen[key] = true
         statuses = statuses .. key .. "; "
      end
   end
end

local function quote(text)
   return '"' .. tostring(text):gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function done(summary, latency, requests)
   local unexpected_total, exhausted_total, examples = 0, 0, ""
   for _, thread in ipairs(threads) do
      unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
      exhausted_total = exhausted_total + (thread:get("exhausted") or 0)
      examples = examples .. (thread:get("statuses") or "")
   end
   local e = summary.errors
   io.write("RESULT {",
      '"requests": ', summary.requests, ', "duration_us": ', summary.duration, ', "bytes": ', summary.bytes,
      ', "connect": ', e.connect, ', "read": ', e.read, ', "write": ', e.write, ', "status": ', e.status,
      ', "timeout": ', e.timeout, ', "unexpected": ', unexpected_total, ', "exhausted": ', exhausted_total,
      ', "examples": ', quote(examples),
      ', "p50_us": ', latency:percentile(50), ', "p90_us": ', latency:percentile(90),
      ', "p99_us": ', latency:percentile(99), ', "max_us": ', latency.max, ', "mean_us": ', latency.mean,
      "}\n")
end
