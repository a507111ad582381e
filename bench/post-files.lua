-- wrk script: POSTs the given files in turn, one file as the raw body of each request.
--   wrk ... -s bench/post-files.lua URL -- CONTENT_TYPE ["Header: value" ...] FILE [FILE ...]
local requests, next_index = {}, 0

function init(args)
  local headers = { ["Content-Type"] = args[1] }
  for i = 2, #args do
    local name, value = args[i]:match("^([%w-]+): (.*)$")
    if name then
      headers[name] = value
    else
      local file = assert(io.open(args[i], "rb"))
      local body = file:read("*a")
      file:close()
      requests[#requests + 1] = wrk.format("POST", nil, headers, body)
    end
  end
  assert(#requests > 0, "no files given")
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
