-- wrk script: sends each request of a work list once, as the person it names, then stops.
-- Arguments (after --): the work file (`email<TAB>path<TAB>form body` per line), the cookies file
-- (`email<TAB>session cookie` per line), the number of wrk threads and a directory. Thread n
-- takes every n-th line. A thread whose lines have run out sends /health until its last answer
-- is in, then writes a file named after itself into the directory and stops. (wrk itself runs
-- until its -d duration or a SIGINT: the benchmark sends that once every thread is done.)
local count = 0
function setup(thread)
  count = count + 1
  thread:set("id", count)
end

local requests, sent, answered = {}, 0, 0
local done_file

function init(args)
  local cookies = {}
  for line in io.lines(args[2]) do
    local email, cookie = line:match("^([^\t]+)\t(.+)$")
    cookies[email] = cookie
  end
  done_file = args[4] .. "/" .. id
  local threads, n = tonumber(args[3]), 0
  for line in io.lines(args[1]) do
    n = n + 1
    if (n - 1) % threads == id - 1 then
      local email, path, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      assert(cookies[email], "no session for " .. tostring(email))
      requests[#requests + 1] = wrk.format("POST", path, {
        ["Cookie"] = "pp_session=" .. cookies[email],
        ["Origin"] = os.getenv("ORIGIN"),
        ["Accept"] = "application/json",
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, body)
    end
  end
  idle = wrk.format("GET", "/health")
  if #requests == 0 then
    io.open(done_file, "w"):close()
  end
end

function request()
  sent = sent + 1
  return requests[sent] or idle
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 300 and answered <= #requests then
    io.stderr:write("bench-work: " .. status .. " " .. body:sub(1, 300) .. "\n")
  end
  if answered == #requests then
    io.open(done_file, "w"):close()
    wrk.thread:stop()
  end
end
