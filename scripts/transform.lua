-- transform.lua: which open work items make the card, and in what order.
--
--   M.transform(issues, ctx) -> rows, total
--
-- issues: every Plane issue of the digest's projects, state expanded to
--         {id, name, color, group}; JSON null arrives as cjson.null.
-- ctx:    limit, states (the configured order), projects ([id] = {id, identifier,
--         name, states}), app_url, workspace, now, date, previous (ids of the last
--         card, nil before the first post).
-- rows:   at most ctx.limit tables {rank, id, key, name, priority, state, url,
--         is_new, project}; total: how many issues matched before the limit.
-- A pure function: no I/O, no clock. See docs/scripting.md.
local M = {}

local PRIORITY_ORDER = { urgent = 1, high = 2, medium = 3, low = 4, none = 5 }

-- ASCII letters compare case-insensitively, every other character exactly.
local function fold(s)
  if type(s) ~= "string" then return nil end
  return (s:gsub("%u", string.lower))
end

-- The states a project has; when it lists none, the states seen on its issues.
local function project_states(ctx, issues)
  local by_project = {}
  for pid, p in pairs(ctx.projects or {}) do
    if type(p.states) == "table" and #p.states > 0 then by_project[pid] = p.states end
  end
  local seen = {}
  for _, issue in ipairs(issues) do
    local pid, s = issue.project, issue.state
    if type(s) == "table" and not by_project[pid] then
      seen[pid] = seen[pid] or { list = {}, ids = {} }
      if not seen[pid].ids[s.id] then
        seen[pid].ids[s.id] = true
        table.insert(seen[pid].list, s)
      end
    end
  end
  for pid, v in pairs(seen) do by_project[pid] = v.list end
  return by_project
end

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

-- For one project: state id -> rank of the first configured state that picks it.
-- A configured state picks the project's state with its id; failing that, those
-- with its name; failing that, every state of its group.
function M.state_ranks(states, configured)
  local rank = {}
  for k, c in ipairs(configured) do
    local chosen = pick(states, "id", c.id, equal)
    if #chosen == 0 then chosen = pick(states, "name", c.name, equal_folded) end
    if #chosen == 0 then chosen = pick(states, "group", c.group, equal) end
    for _, id in ipairs(chosen) do
      if rank[id] == nil then rank[id] = k end
    end
  end
  return rank
end

local function issue_url(ctx, identifier, issue)
  local seq = math.tointeger(issue.sequence_id)
  if identifier and seq then
    return string.format("%s/%s/browse/%s-%d/", ctx.app_url, ctx.workspace, identifier, seq)
  end
  return string.format("%s/%s/projects/%s/issues/%s", ctx.app_url, ctx.workspace,
    tostring(issue.project), issue.id)
end

local function issue_key(identifier, issue)
  local seq = math.tointeger(issue.sequence_id)
  if identifier and seq then return identifier .. "-" .. seq end
  if seq then return "#" .. seq end
  return nil
end

local function before(a, b)
  if a.prio ~= b.prio then return a.prio < b.prio end
  if a.srank ~= b.srank then return a.srank < b.srank end
  if a.seq ~= b.seq then return a.seq < b.seq end
  return a.issue.id < b.issue.id
end

function M.transform(issues, ctx)
  local states = project_states(ctx, issues)
  local ranks = {}
  for pid, list in pairs(states) do ranks[pid] = M.state_ranks(list, ctx.states or {}) end

  local matched = {}
  for _, issue in ipairs(issues) do
    local s = issue.state
    local r = type(s) == "table" and ranks[issue.project] and ranks[issue.project][s.id]
    if r then
      matched[#matched + 1] = {
        issue = issue,
        prio = PRIORITY_ORDER[issue.priority] or PRIORITY_ORDER.none,
        srank = r,
        seq = math.tointeger(issue.sequence_id) or math.maxinteger,
      }
    end
  end
  table.sort(matched, before)

  local previous
  if type(ctx.previous) == "table" then
    previous = {}
    for _, id in ipairs(ctx.previous) do previous[id] = true end
  end

  local rows = {}
  for i = 1, math.min(ctx.limit or 10, #matched) do
    local issue = matched[i].issue
    local project = (ctx.projects or {})[issue.project] or {}
    local identifier = type(project.identifier) == "string" and project.identifier or nil
    rows[i] = {
      rank = i,
      id = issue.id,
      key = issue_key(identifier, issue),
      name = type(issue.name) == "string" and issue.name or "(untitled)",
      priority = PRIORITY_ORDER[issue.priority] and issue.priority or "none",
      state = { id = issue.state.id, name = issue.state.name, group = issue.state.group },
      url = issue_url(ctx, identifier, issue),
      is_new = previous ~= nil and not previous[issue.id],
      project = issue.project,
    }
  end
  return rows, #matched
end

return M
