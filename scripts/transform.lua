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
--         the first post), previous_rows ([id] = {rank, priority, state, target_date}
--         of the last card), options (options.stale_days), holidays, mentions.
--         Each issue also has assignee_names: its assignees' display names (the host
--         looks them up in the project's members; an unknown id gives no name), and
--         with mentions on, assignee_mentions: each one's Teams id, or false.
-- rows:   at most ctx.limit tables {rank, id, key, name, priority, state, url,
--         is_new, project, assignees, mention_ids, target_date, due_in, changes,
--         stale_days}; total: how many issues matched before the limit.
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

-- The digest's local day number of a datetime such as updated_at: shifted by the offset
-- of ctx.now (the digest's time zone at the time of the digest), so that 23:30 UTC is
-- the next day in Paris. A datetime without an offset counts as the date it is written with.
local function local_day(v, ctx)
  local t = type(v) == "string" and dates.parse(v)
  if not t then return nil end
  if not t.offset then return t.number end
  local now = type(ctx.now) == "string" and dates.parse(ctx.now)
  local minutes = t.number * 1440 + t.hour * 60 + t.min - t.offset + (now and now.offset or 0)
  return minutes // 1440
end

-- options.stale_days: nil, false, "" or 0 (off), or a whole number of business days.
local function stale_limit(ctx)
  local n = type(ctx.options) == "table" and ctx.options.stale_days or nil
  if n == nil or n == false or n == "" then return nil end
  if type(n) == "string" and n:match("^%d+$") then n = math.tointeger(tonumber(n)) end -- env CARD_STALE_DAYS
  if math.type(n) ~= "integer" and type(n) == "number" and n == math.floor(n) then n = math.tointeger(n) end
  if math.type(n) ~= "integer" or n < 0 then
    error(string.format("options.stale_days must be a whole number of working days (0 for off), not %q",
      tostring(n)), 0)
  end
  return n > 0 and n or nil
end

-- Business days (no Saturday, Sunday or ctx.holidays) from the issue's last update to
-- the digest's date, when that is more than the limit; else nil.
local function stale_days(issue, ctx, limit)
  if not limit then return nil end
  local day, today = local_day(issue.updated_at, ctx), dates.day_number(dates.today(ctx))
  if not day or not today then return nil end
  local n = dates.business_days_between(day, today, ctx.holidays)
  return n > limit and n or nil
end

-- What changed since the previous card: priority_from (the lower priority it had),
-- rank_from (the rank it had, when it moved up). Empty when the issue was not on it.
local function changes(issue, rank, ctx)
  local before = type(ctx.previous_rows) == "table" and ctx.previous_rows[issue.id]
  local out = {}
  if type(before) ~= "table" then return out end
  local was = PRIORITY_ORDER[before.priority]
  if was and was > PRIORITY_ORDER[issue.priority] then out.priority_from = before.priority end
  if math.type(before.rank) == "integer" and before.rank > rank then out.rank_from = before.rank end
  return out
end

-- Priority, then the configured state order, then the number, then the id. The issues
-- are sorted as they are: a wrapper table for each would cost a megabyte at 10,000.
local function before(a, b)
  local pa, pb = PRIORITY_ORDER[a.priority], PRIORITY_ORDER[b.priority]
  if pa ~= pb then return pa < pb end
  if a.state_rank ~= b.state_rank then return a.state_rank < b.state_rank end
  local sa, sb = a.sequence_id or math.maxinteger, b.sequence_id or math.maxinteger
  if sa ~= sb then return sa < sb end
  return a.id < b.id
end

function M.transform(issues, ctx)
  local sorted = table.move(issues, 1, #issues, 1, {})
  table.sort(sorted, before)

  local previous
  if ctx.previous then
    previous = {}
    for _, id in ipairs(ctx.previous) do previous[id] = true end
  end

  local limit = stale_limit(ctx)
  local rows = {}
  for i = 1, math.min(ctx.limit, #sorted) do
    local issue = sorted[i]
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
      mention_ids = issue.assignee_mentions,
      target_date = target_date,
      due_in = due_in,
      changes = changes(issue, i, ctx),
      stale_days = stale_days(issue, ctx, limit),
    }
  end
  return rows, #sorted
end

return M
