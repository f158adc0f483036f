-- wrk script of the verification benchmark (bench/verify.py): GET the paths of a file (one a line) round-robin,
-- each thread from its own starting point; a response is an error unless it is a 200 whose body contains the
-- text in WRK_EXPECT. Prints one line of JSON at the end.
local expect = os.getenv("WRK_EXPECT") or ""
local threads = {}
paths = {}
position = 0
errors = 0
samples = ""

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    errors = errors + 1
    if #samples < 200 then samples = samples .. status .. " " .. paths[position] .. "; " end
  end
end

function done(summary, latency, requests)
  local errs, seen = 0, ""
  for _, thread in ipairs(threads) do
    errs = errs + thread:get("errors")
    seen = seen .. thread:get("samples")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50": %.6f, "p99": %.6f, "errors": %d, "socket_errors": %d, "samples": "%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e6, latency:percentile(99) / 1e6,
    errs + socket, socket, seen:gsub('"', "'")))
end
