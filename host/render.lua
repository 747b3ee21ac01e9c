-- The host's own Lua: runs the user's transform and card over a batch, checks what they
-- return, builds the Teams envelope and fits it into the size budget. The scripts get
-- copies of what the host keeps (ctx.projects): nothing they change reaches the host, the
-- next render or another digest.
local cjson = require("cjson")
local cardcheck = require("cardcheck")
local native = require("host.native")
local needs = require("needs")
local pages = require("pages")
local states = require("states")

local R = {}

local is_list = cardcheck.is_list
local MAX_NAME = 200


-- Cut s to at most max code points, never inside a UTF-8 sequence; "…" marks a cut.
function R.cut(s, max)
  local ok, n = pcall(utf8.len, s)
  if not ok or n == nil or n <= max then return s end
  return s:sub(1, utf8.offset(s, max + 1) - 1) .. "…"
end

-- Check transform's result (read raw: a script's metatables cannot change what the host
-- sees): a list of row tables with string ids; long names are cut. Returns the total and
-- the ids, in order.
function R.check_rows(rows, total, limit, given)
  if type(rows) ~= "table" or not is_list(rows) then
    error("transform.lua returned " .. type(rows) .. ", expected a list of rows", 0)
  end
  local n = rawlen(rows)
  if n > limit then
    error(string.format("transform.lua returned %d rows, more than the limit of %d", n, limit), 0)
  end
  local ids = {}
  for i = 1, n do
    local row = rawget(rows, i)
    local id = type(row) == "table" and rawget(row, "id")
    if type(id) ~= "string" then
      error(string.format("transform.lua returned row %d without a string id (rows[%d].id is %s)", i, i,
        type(row) == "table" and type(id) or "not a table"), 0)
    end
    ids[i] = id
    local name = rawget(row, "name")
    if type(name) == "string" then rawset(row, "name", R.cut(name, MAX_NAME)) end
  end
  if total == nil then total = math.max(given, n) end
  if math.type(total) ~= "integer" or total < n then
    error("transform.lua returned a total that is not a whole number of at least the row count", 0)
  end
  return total, ids
end


-- The `language` setting against card.lua's LANGUAGES (scripts.languages, when it has
-- them): a configuration error.
function R.check_language(scripts, lang, where)
  local langs = scripts.languages
  if not langs or rawget(langs, lang) ~= nil then return end
  local names = {}
  for k in pairs(langs) do
    if type(k) == "string" then names[#names + 1] = k end
  end
  table.sort(names)
  error(string.format('%s: language = "%s" is not a language of %s/card.lua (it has: %s)', where, lang,
    scripts.dir, table.concat(names, ", ")), 0)
end

-- A copy of v for a script: tables copied all the way down (shared tables stay shared in
-- the copy), so that what a script changes stays its own.
function R.copy(v, seen)
  if type(v) ~= "table" then return v end
  seen = seen or {}
  if seen[v] then return seen[v] end
  local out = {}
  seen[v] = out
  for k, x in next, v do out[R.copy(k, seen)] = R.copy(x, seen) end
  return out
end

local ENV_HEAD = '{"type":"message","attachments":[{"contentType":'
  .. '"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":'
local ENV_TAIL = "}]}"

local function slice(rows, n)
  local out = {}
  for i = 1, n do out[i] = rawget(rows, i) end
  return out
end

-- card(rows[1..n], ctx) as the Teams envelope. The check runs on the JSON decoded again:
-- exactly what is sent, whatever tables the script returned.
local function envelope(scripts, rows, n, ctx, own)
  local DIR = scripts.dir
  own(ctx)
  local card = scripts.card(slice(rows, n), ctx)
  if type(card) ~= "table" then
    error(string.format("%s/card.lua: card() returned %s, expected a table (the Adaptive Card)", DIR,
      type(card)), 0)
  end
  local ok, json = pcall(native.encode, card, "card")
  if not ok then error(DIR .. "/card.lua returned a card that cannot be sent: " .. json, 0) end
  local err = cardcheck.check(cjson.decode(json))
  if err then error(DIR .. "/card.lua returned a card that Teams cannot show: " .. err, 0) end
  return ENV_HEAD .. json .. ENV_TAIL
end

-- The largest row count whose envelope fits the budget (rows are dropped from the end,
-- by bisection: a few renders instead of one per dropped row).
local function fit(scripts, rows, ctx, budget, own)
  local n = rawlen(rows)
  local env = envelope(scripts, rows, n, ctx, own)
  if #env <= budget then return env, n end
  local lo, hi, best, best_env, smallest = 0, n - 1, nil, nil, #env
  while lo <= hi do
    local mid = (lo + hi) // 2
    local e = envelope(scripts, rows, mid, ctx, own)
    smallest = math.min(smallest, #e)
    if #e <= budget then
      best, best_env, lo = mid, e, mid + 1
    else
      hi = mid - 1
    end
  end
  if not best then
    error(string.format("even an empty card is %d bytes, over the size budget of %d bytes", smallest,
      budget), 0)
  end
  return best_env, best
end

-- The previous card's rows (a list from the state file) as a table by id: {rank,
-- priority, state = {id, name, group}, target_date}; empty before the first post and
-- when the state file holds only ids.
function R.by_id(list)
  local out = {}
  for _, r in ipairs(list or {}) do
    out[r.id] = { rank = r.rank, priority = r.priority, state = r.state, target_date = r.target_date }
  end
  return out
end

local function text(v) return type(v) == "string" and v or "" end

-- What the state file will keep of each issue, taken before transform runs (a script
-- may change the issues it gets): priority, state and due date by id, as the host
-- prepared them.
function R.snapshot(issues)
  local snap, states_seen = { priority = {}, state = {}, target_date = {} }, {}
  for _, issue in ipairs(issues) do
    local id, s = issue.id, issue.state
    if type(id) == "string" then
      snap.priority[id], snap.target_date[id] = text(issue.priority), text(issue.target_date)
      if type(s) == "table" then
        states_seen[s] = states_seen[s] or { text(s.id), text(s.name), text(s.group) }
        snap.state[id] = states_seen[s]
      end
    end
  end
  return snap
end

-- The posted rows as the state file keeps them: lists parallel to ids, "" for unknown.
function R.posted_rows(snap, ids)
  local out = { priorities = {}, state_ids = {}, state_names = {}, state_groups = {}, target_dates = {} }
  for i, id in ipairs(ids) do
    local s = snap.state[id] or { "", "", "" }
    out.priorities[i], out.target_dates[i] = snap.priority[id] or "", snap.target_date[id] or ""
    out.state_ids[i], out.state_names[i], out.state_groups[i] = s[1], s[2], s[3]
  end
  return out
end

local function result(fields, posted)
  for k, v in pairs(posted) do fields[k] = v end
  return fields
end

-- Before each call of a script: ctx's options (and the previous card's rows) afresh, so
-- that what one call changes in them never reaches the next.
local function owner(ctx)
  local kept = { options = ctx.options or {}, previous_rows = R.by_id(ctx.previous_rows) }
  return function(c)
    for k, v in pairs(kept) do rawset(c, k, R.copy(v)) end
  end
end

-- One render (host/render.c's hook): transform and card over the batch for ctx (the
-- table render.c built), within budget bytes. Returns {envelope (nil when skipped),
-- ids (of the posted rows), fetched, matching, transform_ms, card_ms}.
function R.render(scripts, batch, ctx, budget, skip_empty)
  local t0 = native.clock_ms()
  R.check_language(scripts, ctx.language, "the configuration")
  needs.attach(batch, scripts.needs)
  local issues, projects = states.prepare(batch, ctx.states, states.mention_map(ctx))
  rawset(ctx, "mention_ids", nil) -- the scripts get each assignee's id instead
  ctx.projects = needs.for_scripts(R.copy(projects), scripts.needs)
  if batch.previous and ctx.previous == nil then -- preview of a saved sync that holds its previous card
    rawset(ctx, "previous", R.copy(batch.previous.ids))
    rawset(ctx, "previous_rows", R.copy(batch.previous.rows)) -- a list, as the state file's
  end
  local own = owner(ctx)
  own(ctx)
  local snap = R.snapshot(issues)
  local rows, total = scripts.transform(issues, ctx)
  local ids
  total, ids = R.check_rows(rows, total, ctx.limit, #issues)
  rawset(ctx, "total", total)
  local t1 = native.clock_ms()
  if #ids == 0 and skip_empty then
    return result({ ids = {}, fetched = pages.count(batch), matching = total, transform_ms = t1 - t0,
      card_ms = 0.0 }, R.posted_rows(snap, {}))
  end
  local env, n = fit(scripts, rows, ctx, budget, own)
  ids = slice(ids, n)
  return result({ envelope = env, ids = ids, fetched = pages.count(batch), matching = total,
    transform_ms = t1 - t0, card_ms = native.clock_ms() - t1 }, R.posted_rows(snap, ids))
end

return R
