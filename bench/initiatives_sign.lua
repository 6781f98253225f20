-- wrk script for bench/initiatives.py: every request signs as a different person.
--
-- wrk ... -s bench/initiatives_sign.lua URL -- PLAN_PREFIX SIGN_PATH
--
-- Thread n reads PLAN_PREFIX .. n .. ".plan": one request a line, "<Cookie header>\t<form body>", in the
-- order it sends them (each person once, and a few persons a second time, well after their first attempt).
-- Each thread sends its own lines and no others; when every line has been answered it writes
-- PLAN_PREFIX .. n .. ".done" (the scenario waits for these, then stops wrk with SIGINT) and stops. A
-- connection whose thread has nothing left to send waits (delay()) instead of sending anything else, so wrk's
-- own figures hold only the signing requests. Such a connection is open and idle, and a gunicorn sync worker
-- that accepts it waits on it: that is why the scenario runs one thread (then the idle connections come only
-- after the last request has gone out) unless told otherwise. done() prints one line "BENCH-SIGN {json}" with
-- the answers by status and thread, and how many lines each thread sent.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   threads[#threads + 1] = thread
   counter = counter + 1
end

local requests = {}
local next_index = 1
local answered = 0
local verifying = false
local finished = false
local marker = nil
statuses = {}
sent = 0
done_lines = 0

function init(args)
   local prefix, path = args[1], args[2]
   marker = prefix .. id .. ".done"
   for line in io.lines(prefix .. id .. ".plan") do
      local cookie, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", path, {
         ["Cookie"] = cookie,
         ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body)
   end
   done_lines = #requests
   -- wrk calls request() once in thread 0 before the run, to check what it answers: that call must not use
   -- up a line.
   verifying = (id == 0)
end

function delay()
   if next_index > #requests then
      return 3600000
   end
   return 0
end

function request()
   if verifying then
      verifying = false
      return requests[1]
   end
   local index = next_index
   if index > #requests then
      -- Not reached (delay() holds the connection back), but wrk needs a request.
      index = #requests
   else
      next_index = next_index + 1
      sent = sent + 1
   end
   return requests[index]
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   answered = answered + 1
   if answered >= #requests and not finished then
      finished = true
      local file = io.open(marker, "w")
      if file then
         file:write(tostring(answered))
         file:close()
      end
      wrk.thread:stop()
   end
end

function done(summary, latency, requests_stats)
   local parts = {}
   for _, thread in ipairs(threads) do
      local counts = {}
      for status, count in pairs(thread:get("statuses") or {}) do
         counts[#counts + 1] = string.format('"%d": %d', status, count)
      end
      parts[#parts + 1] = string.format(
         '{"id": %d, "lines": %d, "sent": %d, "statuses": {%s}}',
         thread:get("id"), thread:get("done_lines") or 0, thread:get("sent") or 0, table.concat(counts, ", ")
      )
   end
   io.write(string.format(
      'BENCH-SIGN {"duration_us": %d, "requests": %d, "threads": [%s]}\n',
      summary.duration, summary.requests, table.concat(parts, ", ")
   ))
end
