-- The host's own Lua: turns Plane's JSON replies into one batch of issues, applies the
-- configured states, runs the user's transform and card, checks what they return, fits
-- the message into the size budget, and holds the built-in sample.
-- Compiled into the binary; it runs with the full standard library in the same state
-- as the scripts, which only reach their own copies of the libraries (host/script.c).
-- Errors are raised as one sentence without a position.
local cjson = require("cjson")
local cardcheck = require("cardcheck")
local native = require("host.native")

local B = {}

local null = cjson.null
local is_list = cardcheck.is_list
local MAX_NAME = 200

local function str(v, default)
  if type(v) == "string" then return v end
  return default
end

local function fail(where, fmt, ...)
  error(where .. ": " .. string.format(fmt, ...), 0)
end

-- Every byte that is not part of valid UTF-8 becomes U+FFFD: one bad name must not stop
-- every digest (the card is sent as UTF-8).
function B.valid_utf8(s)
  if utf8.len(s) then return s end
  local out, i = {}, 1
  while i <= #s do
    local _, bad = utf8.len(s, i)
    if not bad then
      out[#out + 1] = s:sub(i)
      break
    end
    out[#out + 1] = s:sub(i, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    i = bad + 1
  end
  return table.concat(out)
end

local function decode(body, where)
  if body == nil or body == "" then
    fail(where, "the response body is empty, expected JSON")
  end
  body = B.valid_utf8(body)
  local ok, v = pcall(cjson.decode, body)
  if not ok then
    local first = body:match("^%s*(.)")
    if first == "<" then
      fail(where, "the response is an HTML page, not JSON")
    end
    fail(where, "the response is not valid JSON (%s)", tostring(v):gsub("^.-: ", ""))
  end
  return v
end

-- A Plane paginated envelope: {results = [...], next_page_results = bool, next_cursor = "..."}
local function page(body, where)
  local v = decode(body, where)
  if type(v) ~= "table" or (is_list(v) and #v > 0) then
    fail(where, "expected a JSON object with results, got %s", is_list(v) and "a list" or type(v))
  end
  local results = v.results
  if not is_list(results) then
    fail(where, "'results' is %s, expected a list", results == nil and "missing" or
      (results == null and "null" or "not a list"))
  end
  local more = v.next_page_results
  if type(more) ~= "boolean" then
    fail(where, "'next_page_results' is %s, expected true or false",
      more == nil and "missing" or tostring(more))
  end
  local cursor = v.next_cursor
  if more and (type(cursor) ~= "string" or cursor == "" or #cursor > 120) then
    fail(where, "'next_cursor' is missing or malformed while next_page_results is true")
  end
  for i, item in ipairs(results) do
    if type(item) ~= "table" or type(item.id) ~= "string" or item.id == "" then
      fail(where, "results[%d] is not an object with a string id", i)
    end
  end
  return results, more, more and cursor or "", #results
end

function B.new()
  return { issues = {}, seen = {}, projects = {}, states = {} }
end

function B.count(batch)
  return #batch.issues
end

local function project(batch, pid)
  local p = batch.projects[pid]
  if not p then
    p = { id = pid, states = {} }
    batch.projects[pid] = p
  end
  return p
end

local function project_id(issue, fallback)
  local p = issue.project
  if type(p) == "table" and type(p.id) == "string" then return p.id end
  if type(p) == "string" and p ~= "" then return p end
  return fallback
end

local function add_issue(batch, issue, pid)
  if batch.seen[issue.id] then return end
  batch.seen[issue.id] = true
  local p = issue.project
  if type(p) == "table" then
    local meta = project(batch, pid)
    if type(p.identifier) == "string" and p.identifier ~= "" then meta.identifier = p.identifier end
    if type(p.name) == "string" then meta.name = p.name end
  end
  issue.project = pid
  -- every issue comes with its own copy of its expanded state: keep one per state id
  local s = issue.state
  if type(s) == "table" and type(s.id) == "string" then
    local shared = batch.states[s.id]
    if not shared then
      batch.states[s.id] = s
    else
      issue.state = shared
    end
  end
  batch.issues[#batch.issues + 1] = issue
end

function B.add_issues_page(batch, pid, body, where)
  local results, more, cursor, count = page(body, where)
  project(batch, pid)
  for _, issue in ipairs(results) do
    add_issue(batch, issue, project_id(issue, pid))
  end
  return more, cursor, count
end

function B.add_states_page(batch, pid, body, where)
  local results, more, cursor, count = page(body, where)
  local states = project(batch, pid).states
  for _, s in ipairs(results) do
    states[#states + 1] = {
      id = s.id,
      name = type(s.name) == "string" and s.name or "",
      color = type(s.color) == "string" and s.color or nil,
      group = type(s.group) == "string" and s.group or "",
    }
  end
  return more, cursor, count
end

function B.set_project(batch, pid, body, where)
  local v = decode(body, where)
  if type(v) ~= "table" or type(v.id) ~= "string" then
    fail(where, "expected a project object with an id")
  end
  if type(v.identifier) ~= "string" or v.identifier == "" then
    fail(where, "the project has no identifier")
  end
  local p = project(batch, pid)
  p.identifier = v.identifier
  p.name = type(v.name) == "string" and v.name or v.identifier
end

-- A project's members, a plain list of users: kept by id for the assignees' names.
function B.set_members(batch, pid, body, where)
  local v = decode(body, where)
  if not is_list(v) then fail(where, "expected a list of members") end
  local members = {}
  for _, u in ipairs(v) do
    if type(u) == "table" and type(u.id) == "string" then
      members[u.id] = { id = u.id, display_name = str(u.display_name, nil),
        first_name = str(u.first_name, nil), last_name = str(u.last_name, nil) }
    end
  end
  project(batch, pid).members = members
end

-- What `once --dry-run --save FILE` writes: the sync's projects (identifier, name,
-- states, members) and issues, as fetched. No secret: neither the API key nor the
-- webhook ever enter a batch.
B.SAVED_FORMAT = "plane-teams sync 1"

function B.save(batch)
  local projects, ids = {}, {}
  for pid in pairs(batch.projects) do ids[#ids + 1] = pid end
  table.sort(ids)
  for _, pid in ipairs(ids) do
    local p = batch.projects[pid]
    local members = {}
    if p.members then
      local mids = {}
      for id in pairs(p.members) do mids[#mids + 1] = id end
      table.sort(mids)
      for i, id in ipairs(mids) do members[i] = p.members[id] end
    end
    projects[#projects + 1] = { id = pid, identifier = p.identifier, name = p.name, states = p.states,
      members = p.members and members or nil }
  end
  -- one project or issue a line, so that the file is easy to edit by hand
  local function lines(list, what)
    local out = {}
    for i, v in ipairs(list) do out[i] = native.encode(v, what) end
    return "[\n" .. table.concat(out, ",\n") .. "\n]"
  end
  return string.format('{"format":%s,\n"projects":%s,\n"issues":%s}', native.encode(B.SAVED_FORMAT, "format"),
    lines(projects, "project"), lines(batch.issues, "issue"))
end

local function load_saved(batch, v, fname)
  if not is_list(v.projects) or not is_list(v.issues) then
    fail(fname, "a saved sync needs the lists 'projects' and 'issues'")
  end
  for i, p in ipairs(v.projects) do
    if type(p) ~= "table" or type(p.id) ~= "string" or p.id == "" then
      fail(fname, "projects[%d] is not an object with a string id", i)
    end
    local meta = project(batch, p.id)
    if type(p.identifier) == "string" and p.identifier ~= "" then meta.identifier = p.identifier end
    meta.name = str(p.name, meta.identifier)
    if is_list(p.states) then
      for _, st in ipairs(p.states) do
        if type(st) == "table" and type(st.id) == "string" then
          meta.states[#meta.states + 1] = { id = st.id, name = str(st.name, ""), color = str(st.color, nil),
            group = str(st.group, "") }
        end
      end
    end
    if is_list(p.members) then
      meta.members = {}
      for _, u in ipairs(p.members) do
        if type(u) == "table" and type(u.id) == "string" then
          meta.members[u.id] = { id = u.id, display_name = str(u.display_name, nil),
            first_name = str(u.first_name, nil), last_name = str(u.last_name, nil) }
        end
      end
    end
  end
  return v.issues
end

-- preview: a saved sync, a saved page or a plain array of issues (the states of a
-- project that lists none come from its issues).
function B.add_issues_file(batch, body, fname)
  local v = decode(body, fname)
  local list
  if type(v) == "table" and v.format ~= nil then
    if v.format ~= B.SAVED_FORMAT then
      fail(fname, "format %q is not one this version reads (%q)", tostring(v.format), B.SAVED_FORMAT)
    end
    list = load_saved(batch, v, fname)
  elseif is_list(v) then
    list = v
  elseif type(v) == "table" and is_list(v.results) then
    list = v.results
  else
    fail(fname, "expected a Plane page (an object with results) or a JSON array of issues")
  end
  for i, issue in ipairs(list) do
    if type(issue) ~= "table" or type(issue.id) ~= "string" then
      fail(fname, "issue %d is not an object with a string id", i)
    end
    add_issue(batch, issue, project_id(issue, "unknown"))
  end
  return #list
end

-- ---- the configured states ------------------------------------------------

-- ASCII letters compare case-insensitively, every other character exactly.
local function fold(s)
  if type(s) ~= "string" then return nil end
  return (s:gsub("%u", string.lower))
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

-- What one configured state picks among a project's states: the state with its id;
-- failing that, those with its name; failing that, every state of its group. Returns
-- the ids picked (in the project's order) and how ("id", "name", "group"; nil: none).
function B.state_picks(states, c)
  local chosen, by = pick(states, "id", c.id, equal), "id"
  if #chosen == 0 then chosen, by = pick(states, "name", c.name, equal_folded), "name" end
  if #chosen == 0 then chosen, by = pick(states, "group", c.group, equal), "group" end
  return chosen, #chosen > 0 and by or nil
end

-- For one project: state id -> rank of the first configured state that picks it, and
-- for each configured state how it picked ("id", "name", "group" or nil).
function B.state_ranks(states, configured)
  local rank, how = {}, {}
  for k, c in ipairs(configured) do
    local chosen
    chosen, how[k] = B.state_picks(states, c)
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

-- The names of an issue's assignees (ids, or objects with an id), in Plane's order; an
-- id that matches no member of the project (or a project whose members could not be
-- read) gives no name.
function B.assignee_names(assignees, members)
  local names = {}
  if type(assignees) ~= "table" or not members then return names end
  for _, a in ipairs(assignees) do
    local id = type(a) == "table" and a.id or a
    local m = type(id) == "string" and members[id]
    local name = m and member_name(m)
    if name then names[#names + 1] = name end
  end
  return names
end

-- Give every issue an expanded state {id, name, color, group}, a priority and a whole
-- sequence_id, and keep those whose state a configured state picks, with its
-- state_rank. Issues of a project in the same state share one state table (10,000
-- issues, a handful of states): the scripts must not change it.
function B.prepare(batch, configured)
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
    issue.assignee_names = B.assignee_names(issue.assignees, batch.projects[pid].members)
    if type(issue.priority) ~= "string" or not B.PRIORITIES[issue.priority] then issue.priority = "none" end
    issue.sequence_id = type(issue.sequence_id) == "number" and math.tointeger(issue.sequence_id) or nil
  end
  for pid, list in pairs(seen) do batch.projects[pid].states = list end
  local ranks = {}
  for pid, p in pairs(batch.projects) do ranks[pid] = B.state_ranks(p.states, configured) end
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

B.PRIORITIES = { urgent = true, high = true, medium = true, low = true, none = true }

-- ---- discover and check --online ----------------------------------------------

-- One page of the workspace's projects list (discover): kept in Plane's order, once each.
function B.add_projects_page(batch, body, where)
  local results, more, cursor, count = page(body, where)
  batch.listed = batch.listed or {}
  for _, p in ipairs(results) do
    if not batch.seen[p.id] then
      batch.seen[p.id] = true
      local meta = project(batch, p.id)
      meta.identifier = str(p.identifier, "")
      meta.name = str(p.name, meta.identifier)
      batch.listed[#batch.listed + 1] = p.id
    end
  end
  return more, cursor, count
end

-- The listed projects chosen by `wanted` (identifiers or UUIDs, comma-separated; "": all)
-- as ids separated by commas, or an error naming what is not in the workspace.
function B.choose_projects(batch, wanted, workspace)
  local listed = batch.listed or {}
  if wanted == "" then return table.concat(listed, ",") end
  local out = {}
  for item in wanted:gmatch("[^,%s]+") do
    local found
    for _, id in ipairs(listed) do
      local p = batch.projects[id]
      if fold(id) == fold(item) or fold(p.identifier) == fold(item) then found = id end
    end
    if not found then
      local known = {}
      for _, id in ipairs(listed) do known[#known + 1] = batch.projects[id].identifier end
      error(string.format("no project \"%s\" among the %d the API key sees in workspace %s (%s)", item,
        #listed, workspace, #known > 0 and table.concat(known, ", ") or "none"), 0)
    end
    out[#out + 1] = found
  end
  return table.concat(out, ",")
end

local function split(csv)
  local out = {}
  for item in csv:gmatch("[^,]+") do out[#out + 1] = item end
  return out
end

-- A configured state as a person reads it: "En cours" (started), or its id, or its group.
local function label(c)
  local main = c.name and string.format("%q", c.name) or c.id or ("group " .. c.group)
  if c.group and (c.name or c.id) then main = main .. " (" .. c.group .. ")" end
  return main
end

local function state_names(states, ids)
  local by_id, out = {}, {}
  for _, s in ipairs(states) do by_id[s.id] = s end
  for i, id in ipairs(ids) do out[i] = by_id[id] and by_id[id].name or id end
  return table.concat(out, ", ")
end

local function lua_string(s)
  return (string.format("%q", s):gsub("\\\n", "\\n"))
end

-- The config.lua fragment for the chosen projects: the projects line, and the states
-- that pick in them exactly what `configured` picks (its entries in the same order, so
-- the same ranks and the same card), without ids that pick nothing here (ids are
-- per workspace: the shipped ones are the example workspace's). Each entry says what
-- it picks in each project.
local function fragment(batch, chosen, configured)
  local idents, lines = {}, {}
  for i, pid in ipairs(chosen) do idents[i] = batch.projects[pid].identifier end
  local entries = {}
  for k, c in ipairs(configured) do
    local keep_id, notes = false, {}
    for _, pid in ipairs(chosen) do
      local p = batch.projects[pid]
      local ids, by = B.state_picks(p.states, c)
      if by == "id" then keep_id = true end
      notes[#notes + 1] = p.identifier .. " " .. (by and (state_names(p.states, ids) .. " (by " .. by .. ")")
        or "nothing")
    end
    local fields = {}
    if c.id and keep_id then fields[#fields + 1] = "id = " .. lua_string(c.id) end
    if c.name then fields[#fields + 1] = "name = " .. lua_string(c.name) end
    if c.group then fields[#fields + 1] = "group = " .. lua_string(c.group) end
    entries[k] = { text = "{ " .. table.concat(fields, ", ") .. " }", notes = notes }
  end
  lines[#lines + 1] = "-- config.lua: replace the `projects` and `states` lines with these."
  lines[#lines + 1] = "  projects = " .. lua_string(table.concat(chosen, ",")) .. ", -- "
    .. table.concat(idents, ", ")
  lines[#lines + 1] = "  -- Which states make the card, in this order: each picks, in every project, the"
  lines[#lines + 1] = "  -- state with its id, else those with its name, else those of its group. Today:"
  lines[#lines + 1] = "  states = {"
  for k, e in ipairs(entries) do
    lines[#lines + 1] = "    -- " .. k .. ": " .. table.concat(e.notes, "; ")
    lines[#lines + 1] = "    " .. e.text .. ","
  end
  lines[#lines + 1] = "  },"
  return table.concat(lines, "\n") .. "\n", entries
end

-- discover's answer: the workspace's projects and their states (Plane's order), then the
-- fragment for the chosen ones; as text or as JSON.
function B.discover(batch, ctx_json, chosen_csv, as_json)
  local ctx = cjson.decode(ctx_json)
  local chosen = split(chosen_csv)
  local frag, entries = fragment(batch, chosen, ctx.states)
  local listed = batch.listed or {}
  if as_json then
    local projects = {}
    for i, pid in ipairs(listed) do
      local p = batch.projects[pid]
      local states = {}
      for j, st in ipairs(p.states) do states[j] = { id = st.id, name = st.name, group = st.group } end
      projects[i] = { id = pid, identifier = p.identifier, name = p.name, states = states }
    end
    local states = {}
    for k, c in ipairs(ctx.states) do
      local picks = {}
      for _, pid in ipairs(chosen) do
        local ids, by = B.state_picks(batch.projects[pid].states, c)
        picks[#picks + 1] = { project = pid, by = by or null, states = ids }
      end
      states[k] = { id = c.id, name = c.name, group = c.group, lua = entries[k].text, picks = picks }
    end
    return native.encode({ workspace = ctx.workspace, projects = projects, chosen = chosen,
      states = states, fragment = frag }, "discover")
  end
  local out = {}
  out[#out + 1] = string.format("workspace %s: %d project%s the API key can read", ctx.workspace, #listed,
    #listed == 1 and "" or "s")
  for _, pid in ipairs(listed) do
    local p = batch.projects[pid]
    out[#out + 1] = ""
    out[#out + 1] = string.format("%s  %s  %s", p.identifier, p.name, pid)
    local w = 4
    for _, st in ipairs(p.states) do w = math.max(w, utf8.len(st.name) or #st.name) end
    for _, st in ipairs(p.states) do
      local pad = w - (utf8.len(st.name) or #st.name)
      out[#out + 1] = string.format("  %s%s  %-9s  %s", st.name, string.rep(" ", pad), st.group, st.id)
    end
    if #p.states == 0 then out[#out + 1] = "  (no states)" end
  end
  out[#out + 1] = ""
  out[#out + 1] = "Open issues are not counted here: Plane's API counts them only by fetching every issue"
  out[#out + 1] = "(`plane-teams check --online` does, for the configured projects)."
  out[#out + 1] = ""
  return table.concat(out, "\n") .. "\n" .. frag
end

-- check --online, one project that was read: what each configured state picks there and
-- by what, how many issues the card would take from it today; the warnings counted.
function B.online_project(batch, ctx_json, pid)
  local ctx = cjson.decode(ctx_json)
  local p = batch.projects[pid]
  local out, warnings = {}, 0
  local total, open, picked = 0, 0, {}
  for k, c in ipairs(ctx.states) do
    local ids, by = B.state_picks(p.states, c)
    if by then
      out[#out + 1] = string.format("    state %d %s picks %s (by %s)", k, label(c),
        state_names(p.states, ids), by)
      for _, id in ipairs(ids) do picked[id] = true end
    else
      warnings = warnings + 1
      local all = {}
      for i, st in ipairs(p.states) do all[i] = st.id end
      out[#out + 1] = string.format("    warning: state %d %s picks nothing in %s (its states: %s)", k,
        label(c), p.identifier, state_names(p.states, all))
    end
  end
  local on_card, group = 0, {}
  for _, st in ipairs(p.states) do group[st.id] = st.group end
  for _, issue in ipairs(batch.issues) do
    if issue.project == pid then
      total = total + 1
      local s = issue.state
      local id = type(s) == "table" and s.id or s
      local g = group[id] or (type(s) == "table" and s.group) or nil
      if g ~= "completed" and g ~= "cancelled" then open = open + 1 end
      if picked[id] then on_card = on_card + 1 end
    end
  end
  local left = {}
  for _, st in ipairs(p.states) do
    if not picked[st.id] and st.group ~= "completed" and st.group ~= "cancelled" then
      left[#left + 1] = st.name .. " (" .. st.group .. ")"
    end
  end
  if #left > 0 then out[#out + 1] = "    not picked, though open: " .. table.concat(left, ", ") end
  local head = string.format("  project %s %s (%s): read %d states, %d issues (%d open)", p.identifier or "?",
    p.name or "", pid, #p.states, total, open)
  table.insert(out, 1, head)
  if on_card == 0 then
    warnings = warnings + 1
    out[#out + 1] = string.format("    warning: %s would show nothing on today's card: no issue is in a "
      .. "picked state", p.identifier or pid)
  else
    out[#out + 1] = string.format("    today: %d issue%s in the picked states (the card shows at most %d in "
      .. "all)", on_card, on_card == 1 and "" or "s", math.tointeger(ctx.limit) or 0)
  end
  return table.concat(out, "\n") .. "\n", warnings
end

-- ---- what the scripts return -------------------------------------------------

-- Cut s to at most max code points, never inside a UTF-8 sequence; "…" marks a cut.
function B.cut(s, max)
  local ok, n = pcall(utf8.len, s)
  if not ok or n == nil or n <= max then return s end
  return s:sub(1, utf8.offset(s, max + 1) - 1) .. "…"
end

-- Check transform's result (read raw: a script's metatables cannot change what the host
-- sees): a list of row tables with string ids; long names are cut. Returns the total and
-- the ids, in order.
function B.check_rows(rows, total, limit, given)
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
    if type(name) == "string" then rawset(row, "name", B.cut(name, MAX_NAME)) end
  end
  if total == nil then total = math.max(given, n) end
  if math.type(total) ~= "integer" or total < n then
    error("transform.lua returned a total that is not a whole number of at least the row count", 0)
  end
  return total, ids
end

-- ---- rendering -----------------------------------------------------------------

local TRANSFORM, CARD, DIR, LANGUAGES

-- The user's functions (script.c hands them over once loaded), and card.lua's table,
-- whose LANGUAGES (when it has them) say which `language` settings it can show.
function B.use(transform, card, dir, card_module)
  TRANSFORM, CARD, DIR = transform, card, dir
  local langs = type(card_module) == "table" and rawget(card_module, "LANGUAGES")
  LANGUAGES = type(langs) == "table" and langs or nil
end

-- The `language` setting against card.lua's LANGUAGES: a configuration error.
function B.check_language(lang, where)
  if not LANGUAGES or rawget(LANGUAGES, lang) ~= nil then return end
  local names = {}
  for k in pairs(LANGUAGES) do
    if type(k) == "string" then names[#names + 1] = k end
  end
  table.sort(names)
  error(string.format('%s: language = "%s" is not a language of %s/card.lua (it has: %s)', where, lang,
    DIR, table.concat(names, ", ")), 0)
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
local function envelope(rows, n, ctx)
  local card = CARD(slice(rows, n), ctx)
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
local function fit(rows, ctx, budget)
  local n = rawlen(rows)
  local env = envelope(rows, n, ctx)
  if #env <= budget then return env, n end
  local lo, hi, best, best_env, smallest = 0, n - 1, nil, nil, #env
  while lo <= hi do
    local mid = (lo + hi) // 2
    local e = envelope(rows, mid, ctx)
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

-- ctx (JSON from render.c) + the batch -> envelope (nil when skipped), the ids of the
-- posted rows (JSON), fetched, matching, posted, transform ms, card ms.
function B.render(batch, ctx_json, budget, skip_empty)
  local t0 = native.clock_ms()
  local ctx = cjson.decode(ctx_json)
  ctx.limit = math.tointeger(ctx.limit)
  B.check_language(ctx.language, "the configuration")
  local issues, projects = B.prepare(batch, ctx.states)
  ctx.projects = projects
  local rows, total = TRANSFORM(issues, ctx)
  local ids
  total, ids = B.check_rows(rows, total, ctx.limit, #issues)
  rawset(ctx, "total", total)
  local t1 = native.clock_ms()
  if #ids == 0 and skip_empty then
    return nil, "[]", #batch.issues, total, 0, t1 - t0, 0.0
  end
  local env, n = fit(rows, ctx, budget)
  return env, native.encode(slice(ids, n)), #batch.issues, total, n, t1 - t0, native.clock_ms() - t1
end

-- The built-in sample used by `check` and by reloads: two projects, every priority,
-- states picked by name and by group, a null, a non-ASCII name, members, an assignee who
-- is no member, a due date.
local P1, P2 = "0f1e2d3c-4b5a-4697-8877-665544332211", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
local function sid(n) return string.format("4d3c2b1a-0000-4000-8000-%012d", n) end
local S = {
  en_cours = { id = sid(11), name = "En cours", group = "started" },
  a_faire = { id = sid(12), name = "A faire", group = "unstarted" },
  backlog = { id = sid(13), name = "Backlog", group = "backlog" },
  done = { id = sid(1), name = "Done", group = "completed" },
  progress = { id = sid(2), name = "In Progress", group = "started" },
  todo = { id = sid(3), name = "Todo", group = "unstarted" },
}

function B.sample()
  local batch = B.new()
  local p1 = project(batch, P1)
  p1.identifier, p1.name = "WEB", "Site web"
  p1.states = { S.backlog, S.a_faire, S.en_cours, S.done }
  local p2 = project(batch, P2)
  p2.identifier, p2.name = "OPS", "Opérations"
  p2.states = { S.todo, S.progress, S.done }
  local U1, U2 = "7e7e7e7e-0000-4000-8000-000000000001", "7e7e7e7e-0000-4000-8000-000000000002"
  p1.members = { [U1] = { id = U1, display_name = "zoe", first_name = "Zoé", last_name = "Martin" },
    [U2] = { id = U2, first_name = "Ahmed", last_name = "**Ben**" } }
  local function issue(n, pid, seq, name, priority, state, target_date, assignees)
    return { id = string.format("5a5a5a5a-0000-4000-8000-%012d", n), project = pid,
      sequence_id = seq, name = name, priority = priority, state = state.id,
      target_date = target_date or null, assignees = assignees or {} }
  end
  local list = {
    issue(1, P1, 12, "Corriger la redirection après connexion", "urgent", S.en_cours, "2026-01-05",
      { U1, U2, "7e7e7e7e-0000-4000-8000-00000000dead" }),
    issue(2, P1, 7, "Page d'accueil : réduire le temps de chargement", "high", S.a_faire, null, { U2 }),
    issue(3, P1, 30, "Traduire les e-mails 📧", "medium", S.backlog),
    issue(4, P1, 31, "Ancien ticket terminé", "urgent", S.done),
    issue(5, P2, 3, "Rotate the database credentials", "high", S.progress),
    issue(6, P2, 4, "Nightly backup check", "low", S.todo),
    issue(7, P2, 5, "Clean up old dashboards", null, S.todo),
  }
  for _, i in ipairs(list) do add_issue(batch, i, i.project) end
  return batch
end

return B
