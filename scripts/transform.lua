-- transform.lua: in what order the open work items make the card, and how many.
--
--   M.transform(issues, ctx) -> rows, total
--
-- issues: the issues whose state a configured state picks (the host applies the
--         `states` setting), each with state {id, name, color, group}, state_rank
--         (1 = the first configured state), priority, project and, from Plane,
--         name, sequence_id, … (JSON null arrives as cjson.null).
-- ctx:    limit, states, projects ([id] = {id, identifier, name, states}), app_url,
--         workspace, now, date, digest, previous (ids of the last card, nil before
--         the first post).
--         Each issue also has assignee_names: its assignees' display names (the host
--         looks them up in the project's members; an unknown id gives no name).
-- rows:   at most ctx.limit tables {rank, id, key, name, priority, state, url,
--         is_new, project, assignees, target_date, due_in}; total: how many issues
--         matched before the limit.
-- A pure function: no I/O, no clock. See docs/scripting.md.
local dates = require("pt.dates")

local M = {}

local PRIORITY_ORDER = { urgent = 1, high = 2, medium = 3, low = 4, none = 5 }

local function issue_url(ctx, identifier, issue)
  local seq = issue.sequence_id
  if identifier and seq then
    return string.format("%s/%s/browse/%s-%d/", ctx.app_url, ctx.workspace, identifier, seq)
  end
  return string.format("%s/%s/projects/%s/issues/%s", ctx.app_url, ctx.workspace, issue.project, issue.id)
end

local function issue_key(identifier, issue)
  local seq = issue.sequence_id
  if identifier and seq then return identifier .. "-" .. seq end
  if seq then return "#" .. seq end
  return nil
end

-- The due date (Plane's target_date) and how many days away it is from ctx.date, the
-- digest's local date: 0 today, negative when overdue.
local function due(issue, ctx)
  local target = type(issue.target_date) == "string" and dates.day_number(issue.target_date)
  if not target then return nil, nil end
  return issue.target_date:sub(1, 10), dates.days_between(dates.today(ctx), target)
end

-- Priority, then the configured state order, then the number, then the id.
local function before(a, b)
  if a.prio ~= b.prio then return a.prio < b.prio end
  if a.issue.state_rank ~= b.issue.state_rank then return a.issue.state_rank < b.issue.state_rank end
  if a.seq ~= b.seq then return a.seq < b.seq end
  return a.issue.id < b.issue.id
end

function M.transform(issues, ctx)
  local sorted = {}
  for i, issue in ipairs(issues) do
    sorted[i] = { issue = issue, prio = PRIORITY_ORDER[issue.priority],
      seq = issue.sequence_id or math.maxinteger }
  end
  table.sort(sorted, before)

  local previous
  if ctx.previous then
    previous = {}
    for _, id in ipairs(ctx.previous) do previous[id] = true end
  end

  local rows = {}
  for i = 1, math.min(ctx.limit, #sorted) do
    local issue = sorted[i].issue
    local identifier = ctx.projects[issue.project].identifier
    local target_date, due_in = due(issue, ctx)
    rows[i] = {
      rank = i,
      id = issue.id,
      key = issue_key(identifier, issue),
      name = type(issue.name) == "string" and issue.name or "(untitled)",
      priority = issue.priority,
      state = { id = issue.state.id, name = issue.state.name, group = issue.state.group },
      url = issue_url(ctx, identifier, issue),
      is_new = previous ~= nil and not previous[issue.id],
      project = issue.project,
      assignees = issue.assignee_names or {},
      target_date = target_date,
      due_in = due_in,
    }
  end
  return rows, #sorted
end

return M
