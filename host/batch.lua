-- The host's own Lua: turns Plane's JSON replies into one batch of issues for the
-- scripts, checks what the scripts return, and holds the built-in sample.
-- Compiled into the binary; it runs with the full standard library, never the
-- user's scripts. Errors are raised as one sentence without a position.
local cjson = require("cjson")
local cardcheck = require("cardcheck")

local B = {}

local null = cjson.null

local function fail(where, fmt, ...)
  error(where .. ": " .. string.format(fmt, ...), 0)
end

local function decode(body, where)
  if body == nil or body == "" then
    fail(where, "the response body is empty, expected JSON")
  end
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

local function is_list(t)
  if type(t) ~= "table" then return false end
  local n = #t
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
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

-- preview: a saved page or a plain array of issues; states come from the issues.
function B.add_issues_file(batch, body, fname)
  local v = decode(body, fname)
  local list
  if is_list(v) then
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
    local pid = project_id(issue, "unknown")
    local p = project(batch, pid)
    local s = issue.state
    if type(s) == "table" and type(s.id) == "string" then
      p.seen_states = p.seen_states or {}
      if not p.seen_states[s.id] then
        p.seen_states[s.id] = true
        p.states[#p.states + 1] = { id = s.id, name = s.name, color = s.color, group = s.group }
      end
    end
    add_issue(batch, issue, pid)
  end
  for _, p in pairs(batch.projects) do p.seen_states = nil end
  return #list
end

local function str(v, default)
  if type(v) == "string" then return v end
  return default
end

-- Give every issue an expanded state {id, name, color, group} and a priority. Issues
-- of a project in the same state share one state table (10,000 issues, a handful of
-- states): the scripts must not change it.
function B.prepare(batch)
  local canon = {}
  for pid, p in pairs(batch.projects) do
    local m = {}
    for _, s in ipairs(p.states) do
      m[s.id] = { id = s.id, name = str(s.name, ""), color = str(s.color, nil), group = str(s.group, "") }
    end
    canon[pid] = m
  end
  for _, issue in ipairs(batch.issues) do
    local s = issue.state
    local m = canon[issue.project]
    if not m then
      m = {}
      canon[issue.project] = m
    end
    local id = type(s) == "string" and s or (type(s) == "table" and str(s.id, "")) or nil
    if id then
      local shared = m[id]
      if not shared then
        local t = type(s) == "table" and s or {}
        shared = { id = id, name = str(t.name, ""), color = str(t.color, nil), group = str(t.group, "") }
        m[id] = shared
      end
      issue.state = shared
    else
      issue.state = null
    end
    if type(issue.priority) ~= "string" then issue.priority = "none" end
  end
  return batch.issues, batch.projects
end

-- Cut s to at most max code points, never inside a UTF-8 sequence; "…" marks a cut.
function B.cut(s, max)
  local ok, n = pcall(utf8.len, s)
  if not ok or n == nil or n <= max then return s end
  return s:sub(1, utf8.offset(s, max + 1) - 1) .. "…"
end

-- Check transform's result: a list of row tables with an id; cut long names.
function B.check_rows(rows, total, limit, max_name)
  if type(rows) ~= "table" or not is_list(rows) then
    error("transform.lua returned " .. type(rows) .. ", expected a list of rows", 0)
  end
  if #rows > limit then
    error(string.format("transform.lua returned %d rows, more than the limit of %d", #rows, limit), 0)
  end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" or type(row.id) ~= "string" then
      error(string.format("transform.lua returned row %d without a string id", i), 0)
    end
    if type(row.name) == "string" then row.name = B.cut(row.name, max_name) end
  end
  if total == nil then total = #rows end
  if math.type(total) ~= "integer" or total < #rows then
    error("transform.lua returned a total that is not a whole number of at least the row count", 0)
  end
  return total
end

-- Adaptive Card 1.2 only, and nothing Teams webhooks refuse.
function B.check_card(card)
  local err = cardcheck.check(card)
  if err then error(err, 0) end
end

function B.slice(rows, n)
  local out = {}
  for i = 1, n do out[i] = rows[i] end
  return out
end

function B.ids(rows)
  local out = {}
  for i, row in ipairs(rows) do out[i] = row.id end
  return out
end

-- The built-in sample used by `check` and by reloads: two projects, every
-- priority, states by id, by name and by group, a null, a non-ASCII name.
local P1, P2 = "0f1e2d3c-4b5a-4697-8877-665544332211", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
local S = {
  en_cours = { id = "daaf8056-e88d-40ba-b527-d58f3e518059", name = "En cours", group = "started" },
  a_faire = { id = "9ce312cc-0018-4864-9867-064939dda809", name = "A faire", group = "unstarted" },
  backlog = { id = "318803e3-f0ce-4dbf-b0b4-beb1cfba9e81", name = "Backlog", group = "backlog" },
  done = { id = "4d3c2b1a-0000-4000-8000-000000000001", name = "Done", group = "completed" },
  progress = { id = "4d3c2b1a-0000-4000-8000-000000000002", name = "In Progress", group = "started" },
  todo = { id = "4d3c2b1a-0000-4000-8000-000000000003", name = "Todo", group = "unstarted" },
}

function B.sample()
  local batch = B.new()
  local p1 = project(batch, P1)
  p1.identifier, p1.name = "WEB", "Site web"
  p1.states = { S.backlog, S.a_faire, S.en_cours, S.done }
  local p2 = project(batch, P2)
  p2.identifier, p2.name = "OPS", "Opérations"
  p2.states = { S.todo, S.progress, S.done }
  local function issue(n, pid, seq, name, priority, state)
    return { id = string.format("5a5a5a5a-0000-4000-8000-%012d", n), project = pid,
      sequence_id = seq, name = name, priority = priority, state = state.id,
      target_date = null }
  end
  local list = {
    issue(1, P1, 12, "Corriger la redirection après connexion", "urgent", S.en_cours),
    issue(2, P1, 7, "Page d'accueil : réduire le temps de chargement", "high", S.a_faire),
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
