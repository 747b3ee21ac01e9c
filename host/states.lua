-- The host's own Lua: the configured states (id, then name, then group) picked in each
-- project, each issue's state_rank, priority and assignee names.
local cjson = require("cjson")
local pages = require("pages")

local T = {}

local null = cjson.null
local str, project = pages.str, pages.project

-- ASCII letters compare case-insensitively, every other character exactly.
function T.fold(s)
  if type(s) ~= "string" then return nil end
  return (s:gsub("%u", string.lower))
end

local fold = T.fold

local function pick(states, field, want, same)
  local out = {}
  if want == nil then return out end
  for _, s in ipairs(states) do
    if same(s[field], want) then out[#out + 1] = s.id end
  end
  return out
end

local function equal(a, b) return a == b end
local function equal_folded(a, b) return a ~= nil and fold(a) == fold(b) end

-- What one configured state picks among a project's states: the state with its id;
-- failing that, those with its name; failing that, every state of its group. Returns
-- the ids picked (in the project's order) and how ("id", "name", "group"; nil: none).
function T.state_picks(states, c)
  local chosen, by = pick(states, "id", c.id, equal), "id"
  if #chosen == 0 then chosen, by = pick(states, "name", c.name, equal_folded), "name" end
  if #chosen == 0 then chosen, by = pick(states, "group", c.group, equal), "group" end
  return chosen, #chosen > 0 and by or nil
end

-- For one project: state id -> rank of the first configured state that picks it, and
-- for each configured state how it picked ("id", "name", "group" or nil).
function T.state_ranks(states, configured)
  local rank, how = {}, {}
  for k, c in ipairs(configured) do
    local chosen
    chosen, how[k] = T.state_picks(states, c)
    for _, id in ipairs(chosen) do
      if rank[id] == nil then rank[id] = k end
    end
  end
  return rank, how
end

-- A member's name as Plane shows it: the display name, else first and last name.
local function member_name(m)
  if m.display_name and m.display_name ~= "" then return m.display_name end
  local full = table.concat({ m.first_name or "", m.last_name or "" }, " "):match("^%s*(.-)%s*$")
  return full ~= "" and full or nil
end

-- The Teams id of a member, when mentions are on: mention_ids by Plane user id, then by
-- display name (the name the card shows), then the member's e-mail address in Plane
-- (usually the UPN); false when none.
local function teams_id(m, name, ids)
  return ids[m.id] or (name and ids[name]) or (type(m.email) == "string" and m.email:find("@", 2, true)
    and m.email) or false
end

-- The names of an issue's assignees (ids, or objects with an id), in Plane's order; an
-- id that matches no member of the project (or a project whose members could not be
-- read) gives no name. With ids (the `mention_ids` map, when mentions are on), also each
-- named assignee's Teams id or false, in the same order.
function T.assignee_names(assignees, members, ids)
  local names, mentions = {}, ids and {} or nil
  if type(assignees) ~= "table" or not members then return names, mentions end
  for _, a in ipairs(assignees) do
    local id = type(a) == "table" and a.id or a
    local m = type(id) == "string" and members[id]
    local name = m and member_name(m)
    if name then
      names[#names + 1] = name
      if ids then mentions[#names] = teams_id(m, name, ids) end
    end
  end
  return names, mentions
end

-- The `mention_ids` setting ({who, id} records from the host) as a map, or nil when
-- mentions are off.
function T.mention_map(ctx)
  if not ctx.mentions then return nil end
  local ids = {}
  for _, e in ipairs(ctx.mention_ids or {}) do ids[e.who] = e.id end
  return ids
end

-- Give every issue an expanded state {id, name, color, group}, a priority and a whole
-- sequence_id, and keep those whose state a configured state picks, with its
-- state_rank. Issues of a project in the same state share one state table (10,000
-- issues, a handful of states): the scripts must not change it. mention_ids: the map of
-- T.mention_map (nil: mentions off, no assignee_mentions).
function T.prepare(batch, configured, mention_ids)
  local canon, seen = {}, {}
  for pid, p in pairs(batch.projects) do
    local m = {}
    for _, s in ipairs(p.states) do
      m[s.id] = { id = s.id, name = str(s.name, ""), color = str(s.color, nil), group = str(s.group, "") }
    end
    canon[pid] = m
  end
  for _, issue in ipairs(batch.issues) do
    local pid = issue.project
    local m = canon[pid]
    if not m then
      m = {}
      canon[pid] = m
      project(batch, pid)
    end
    local s = issue.state
    local id = type(s) == "string" and s or (type(s) == "table" and str(s.id, "")) or nil
    if id then
      local shared = m[id]
      if not shared then
        local t = type(s) == "table" and s or {}
        shared = { id = id, name = str(t.name, ""), color = str(t.color, nil), group = str(t.group, "") }
        m[id] = shared
        -- a project that lists no states (a saved issue list): the states on its issues
        if #batch.projects[pid].states == 0 then
          seen[pid] = seen[pid] or {}
          seen[pid][#seen[pid] + 1] = shared
        end
      end
      issue.state = shared
    else
      issue.state = null
    end
    issue.assignee_names, issue.assignee_mentions =
      T.assignee_names(issue.assignees, batch.projects[pid].members, mention_ids)
    if type(issue.priority) ~= "string" or not T.PRIORITIES[issue.priority] then issue.priority = "none" end
    issue.sequence_id = type(issue.sequence_id) == "number" and math.tointeger(issue.sequence_id) or nil
  end
  for pid, list in pairs(seen) do batch.projects[pid].states = list end
  local ranks = {}
  for pid, p in pairs(batch.projects) do ranks[pid] = T.state_ranks(p.states, configured) end
  local kept = {}
  for _, issue in ipairs(batch.issues) do
    local s = issue.state
    local r = s ~= null and ranks[issue.project][s.id]
    if r then
      issue.state_rank = r
      kept[#kept + 1] = issue
    end
  end
  return kept, batch.projects
end

T.PRIORITIES = { urgent = true, high = true, medium = true, low = true, none = true }

return T
