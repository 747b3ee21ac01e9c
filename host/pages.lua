-- The host's own Lua: Plane's JSON replies (pages of issues, states and projects, a
-- project, its members) decoded and checked into one batch of issues. Compiled into the
-- binary; errors are raised as one sentence without a position.
local cjson = require("cjson")
local cardcheck = require("cardcheck")

local P = {}

local null = cjson.null
local is_list = cardcheck.is_list

-- v when it is a string, else default.
function P.str(v, default)
  if type(v) == "string" then return v end
  return default
end
local str = P.str

function P.fail(where, fmt, ...)
  error(where .. ": " .. string.format(fmt, ...), 0)
end
local fail = P.fail

-- Every byte that is not part of valid UTF-8 becomes U+FFFD: one bad name must not stop
-- every digest (the card is sent as UTF-8).
function P.valid_utf8(s)
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


function P.decode(body, where)
  if body == nil or body == "" then
    fail(where, "the response body is empty, expected JSON")
  end
  body = P.valid_utf8(body)
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
local decode = P.decode

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
P.page = page

function P.new()
  return { issues = {}, seen = {}, projects = {}, states = {}, fetched = 0 }
end

-- The issues the pages carried (those dropped as they came included).
function P.count(batch)
  return batch.fetched
end

-- A sync (not a saved one) keeps only the issues whose state a configured state picks:
-- each is dropped as its page is decoded, once its project's states are all known
-- (issues that came before them are sifted when the last states page comes).
function P.pick_states(batch, configured)
  batch.configured = configured
end

-- For a project whose states are all known: state id -> rank (host/states.lua), or nil
-- when nothing is to be dropped (no configured states, a project that lists none).
local function ranks_of(batch, p)
  if not batch.configured or not p.states_done or #p.states == 0 then return nil end
  if not p.ranks then p.ranks = require("states").state_ranks(p.states, batch.configured) end
  return p.ranks
end

local function state_id(issue)
  local s = issue.state
  if type(s) == "table" then return s.id end
  return s
end

-- Drop the issues of project pid that no configured state picks.
local function sift(batch, pid)
  local ranks = ranks_of(batch, batch.projects[pid])
  if not ranks then return end
  local kept, seen = {}, batch.seen
  for _, issue in ipairs(batch.issues) do
    if issue.project ~= pid or ranks[state_id(issue)] then kept[#kept + 1] = issue
    else seen[issue.id] = nil end
  end
  batch.issues = kept
end

function P.project(batch, pid)
  local p = batch.projects[pid]
  if not p then
    p = { id = pid, states = {} }
    batch.projects[pid] = p
  end
  return p
end
local project = P.project

function P.project_id(issue, fallback)
  local p = issue.project
  if type(p) == "table" and type(p.id) == "string" then return p.id end
  if type(p) == "string" and p ~= "" then return p end
  return fallback
end
local project_id = P.project_id

function P.add_issue(batch, issue, pid)
  if batch.seen[issue.id] then return end
  batch.fetched = batch.fetched + 1
  local ranks = batch.configured and ranks_of(batch, project(batch, pid))
  if ranks and not ranks[state_id(issue)] then return end -- never shown: not kept
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
local add_issue = P.add_issue

function P.add_issues_page(batch, pid, body, where)
  local results, more, cursor, count = page(body, where)
  project(batch, pid)
  for _, issue in ipairs(results) do
    add_issue(batch, issue, project_id(issue, pid))
  end
  return more, cursor, count
end

function P.add_states_page(batch, pid, body, where)
  local results, more, cursor, count = page(body, where)
  local p = project(batch, pid)
  local states = p.states
  for _, s in ipairs(results) do
    states[#states + 1] = {
      id = s.id,
      name = type(s.name) == "string" and s.name or "",
      color = type(s.color) == "string" and s.color or nil,
      group = type(s.group) == "string" and s.group or "",
    }
  end
  if not more then
    p.states_done = true
    sift(batch, pid)
  end
  return more, cursor, count
end

function P.set_project(batch, pid, body, where)
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

-- A project's members, a plain list of users: kept by id for the assignees' names, and
-- their e-mail for mentions (never saved by `--save`, never logged).
function P.set_members(batch, pid, body, where)
  local v = decode(body, where)
  if not is_list(v) then fail(where, "expected a list of members") end
  local members = {}
  for _, u in ipairs(v) do
    if type(u) == "table" and type(u.id) == "string" then
      members[u.id] = { id = u.id, display_name = str(u.display_name, nil),
        first_name = str(u.first_name, nil), last_name = str(u.last_name, nil), email = str(u.email, nil) }
    end
  end
  project(batch, pid).members = members
end

-- What `once --dry-run --save FILE` writes: the sync's projects (identifier, name,
-- states, members) and issues, as fetched. No secret: neither the API key nor the
-- One page of the workspace's projects list (discover): kept in Plane's order, once each.
function P.add_projects_page(batch, body, where)
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

return P
