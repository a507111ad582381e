-- wrk script: POSTs one Open Inference Protocol body with binary tensor data (JSON header, then the raw tensor) again
-- and again; the header's length goes in Inference-Header-Content-Length.
--   wrk ... -s bench/post-infer.lua URL -- FILE HEADER_LENGTH
local prepared

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local body = file:read("*a")
  file:close()
  prepared = wrk.format("POST", nil, {
    ["Content-Type"] = "application/octet-stream",
    ["Inference-Header-Content-Length"] = assert(args[2], "no header length given"),
  }, body)
end

function request()
  return prepared
end
