-- Builders shared by the specs: Plane-shaped issues as the host hands them to
-- transform.lua (state expanded, state_rank set), states and a ctx. Installed by
-- `cmake --install` in share/plane-teams/lua/ (with pt/dates.lua and the card checker),
-- so that a team's own specs can use them outside this tree (docs/scripting.md).
local cjson = require("cjson")
local H = {}

-- The host's Lua has two native functions (host.native), C in the binary (tested by the C
-- unit tests and the integration tests); the specs of the host's Lua run it with these.
package.preload["host.native"] = function()
  return { encode = function(v) return cjson.encode(v) end, clock_ms = function() return os.clock() * 1000 end }
end

H.EN_COURS = { id = "daaf8056-e88d-40ba-b527-d58f3e518059", name = "En cours", group = "started" }
H.A_FAIRE = { id = "9ce312cc-0018-4864-9867-064939dda809", name = "A faire", group = "unstarted" }
H.BACKLOG = { id = "318803e3-f0ce-4dbf-b0b4-beb1cfba9e81", name = "Backlog", group = "backlog" }

function H.configured()
  return {
    { id = H.EN_COURS.id, name = "En cours", group = "started" },
    { id = H.A_FAIRE.id, name = "A faire", group = "unstarted" },
    { id = H.BACKLOG.id, name = "Backlog", group = "backlog" },
  }
end

local RANK = { [H.EN_COURS] = 1, [H.A_FAIRE] = 2, [H.BACKLOG] = 3 }

local counter = 0
function H.issue(fields)
  counter = counter + 1
  local t = {
    id = string.format("00000000-0000-4000-8000-%012d", counter),
    name = "Issue " .. counter,
    priority = "medium",
    sequence_id = counter,
    project = "p1",
    state = H.EN_COURS,
  }
  for k, v in pairs(fields or {}) do t[k] = v end
  if t.state_rank == nil then t.state_rank = RANK[t.state] or 1 end
  return t
end

function H.ctx(fields)
  local t = {
    limit = 10,
    states = H.configured(),
    projects = {
      p1 = { id = "p1", identifier = "WEB", name = "Site web",
        states = { H.BACKLOG, H.A_FAIRE, H.EN_COURS } },
    },
    app_url = "https://app.plane.so",
    workspace = "acme",
    now = "2026-11-26T08:00:00+01:00",
    date = "2026-11-26",
    digest = "main",
    empty = "post",
    language = "en",
    holidays = {},
    options = {},
    previous_rows = {},
  }
  for k, v in pairs(fields or {}) do t[k] = v end
  return t
end

-- Every table of a card, depth first, with its path.
function H.walk(node, fn, path)
  path = path or "card"
  if type(node) ~= "table" then return end
  fn(node, path)
  for k, v in pairs(node) do H.walk(v, fn, path .. "." .. tostring(k)) end
end

return H
