-- wrk script: sends pre-signed requests to Keyward's endpoint, each nonce once.
-- Environment: KW_REQUESTS (the file endpoint-load.mjs wrote), KW_BODY (the body file),
-- KW_APP (the app id). Threads take interleaved lines, so no two send the same nonce.

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local f = assert(io.open(os.getenv("KW_BODY"), "rb"))
  local body = f:read("*a")
  f:close()
  local app = os.getenv("KW_APP")
  local nthreads = tonumber(os.getenv("KW_THREADS"))
  reqs = {}
  local i = 0
  for line in io.lines(os.getenv("KW_REQUESTS")) do
    if i % nthreads == id then
      local nonce, mac = line:match("^(%S+)\t(%S+)$")
      reqs[#reqs + 1] = wrk.format("POST", "/v1/requests", {
        ["Content-Type"] = "application/json",
        ["Keyward-App"] = app,
        ["Keyward-Nonce"] = nonce,
        ["Keyward-Mac"] = mac,
      }, body)
    end
    i = i + 1
  end
  next_req = 1
end

function request()
  local r = reqs[next_req]
  if r == nil then
    -- Out of nonces: resend the last one (refused as a replay, counted as non-2xx).
    return reqs[#reqs]
  end
  next_req = next_req + 1
  return r
end
