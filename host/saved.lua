-- The host's own Lua: the saved-sync format (`once --dry-run --save FILE`) and the issue
-- files `preview` reads (a saved sync, a saved Plane page, a JSON array of issues).
local cardcheck = require("cardcheck")
local native = require("host.native")
local pages = require("pages")

local S = {}

local is_list = cardcheck.is_list
local str, fail, project = pages.str, pages.fail, pages.project

-- What `once --dry-run --save FILE` writes: the sync's projects (identifier, name,
-- states, members) and issues, as fetched. No secret: neither the API key nor the
-- webhook ever enter a batch.
S.SAVED_FORMAT = "plane-teams sync 1"

function S.save(batch)
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
      for i, id in ipairs(mids) do
        local m = p.members[id] -- everything but the e-mail address
        members[i] = { id = m.id, display_name = m.display_name, first_name = m.first_name,
          last_name = m.last_name }
      end
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
  return string.format('{"format":%s,\n"projects":%s,\n"issues":%s}', native.encode(S.SAVED_FORMAT, "format"),
    lines(projects, "project"), lines(batch.issues, "issue"))
end

-- A saved sync may hold the previous card by hand ("previous": [{id, rank, priority,
-- state, target_date}, …]), so that `preview` shows what changed since it (⬆, 🆕) as a
-- posted card would. --save never writes it.
function S.load_previous(batch, list, fname)
  if not is_list(list) then fail(fname, "'previous' must be a list of the previous card's rows") end
  local ids, rows = {}, {}
  for i, r in ipairs(list) do
    if type(r) ~= "table" or type(r.id) ~= "string" then
      fail(fname, "previous[%d] is not an object with a string id", i)
    end
    ids[i] = r.id
    rows[i] = { id = r.id, rank = math.tointeger(r.rank) or i, priority = str(r.priority, nil),
      target_date = str(r.target_date, nil) }
  end
  batch.previous = { ids = ids, rows = rows }
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
            first_name = str(u.first_name, nil), last_name = str(u.last_name, nil),
            email = str(u.email, nil) }
        end
      end
    end
  end
  if v.previous ~= nil then S.load_previous(batch, v.previous, fname) end
  return v.issues
end

-- preview: a saved sync, a saved page or a plain array of issues (the states of a
-- project that lists none come from its issues).
function S.add_issues_file(batch, body, fname)
  local v = pages.decode(body, fname)
  local list
  if type(v) == "table" and v.format ~= nil then
    if v.format ~= S.SAVED_FORMAT then
      fail(fname, "format %q is not one this version reads (%q)", tostring(v.format), S.SAVED_FORMAT)
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
    pages.add_issue(batch, issue, pages.project_id(issue, "unknown"))
  end
  return #list
end

return S
