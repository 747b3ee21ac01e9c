-- Helpers of the host's own specs (not installed: helpers.lua is the one for teams).
local cjson = require("cjson")

local S = {}

-- One page of a Plane list as the server sends it.
function S.page(results, more, cursor)
  return cjson.encode({ results = results, next_page_results = more, next_cursor = cursor or "100:1:0",
    count = #results })
end

-- The error fn(...) raises (the spec fails when it raises none).
function S.err_of(fn, ...)
  local ok, e = pcall(fn, ...)
  assert(not ok, "expected an error, got none")
  return e
end

return S
