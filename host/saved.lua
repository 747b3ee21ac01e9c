-- The host's own Lua: the saved-sync format (`once --dry-run --save FILE`) and the issue
-- files `preview` reads (a saved sync, a saved Plane page, a JSON array of issues).
local cardcheck = require("cardcheck")
local native = require("host.native")
local needs = require("needs")
local pages = require("pages")

local S = {}

local is_list = cardcheck.is_list
local str, fail, project = pages.str, pages.fail, pages.project

-- What `once --dry-run --save FILE` writes: the sync's projects (identifier, name,
-- states, members; and what the scripts' needs brought: labels, current cycles and
-- modules, each cycle and module with the ids of its issues) and issues, as fetched. No
-- secret: neither the API key nor the webhook ever enter a batch. Format 1 (before the
-- needs) still reads.
S.SAVED_FORMAT = "plane-teams sync 2"
S.READS = { ["plane-teams sync 1"] = true, ["plane-teams sync 2"] = true }

-- A project's cycles or modules as saved: each with the ids of its issues.
local function with_items(batch, list)
  if not list then return nil end
  local out = {}
  for i, g in ipairs(list) do
    local copy = {}
    for k, v in pairs(g) do copy[k] = v end
    copy.issues = batch.items_of and batch.items_of[g.id] or nil
    out[i] = copy
  end
  return out
end

function S.save(batch, previous)
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
      members = p.members and members or nil, labels = p.labels, cycles = with_items(batch, p.cycles),
      modules = with_items(batch, p.modules) }
  end
  -- one project or issue a line, so that the file is easy to edit by hand
  local function lines(list, what)
    local out = {}
    for i, v in ipairs(list) do out[i] = native.encode(v, what) end
    return "[\n" .. table.concat(out, ",\n") .. "\n]"
  end
  local prev = ""
  if previous and #previous > 0 then -- the last posted card, for preview's ctx.previous_rows
    prev = string.format(',\n"previous":%s', lines(previous, "previous"))
  end
  return string.format('{"format":%s,\n"projects":%s,\n"issues":%s%s}',
    native.encode(S.SAVED_FORMAT, "format"), lines(projects, "project"), lines(batch.issues, "issue"), prev)
end

-- A saved sync may hold the previous card ("previous": [{id, rank, priority, state,
-- target_date}, …]: --save writes the state file's last posted card, or by hand), so that
-- `preview` shows what changed since it (⬆, 🆕) as a posted card would.
function S.load_previous(batch, list, fname)
  if not is_list(list) then fail(fname, "'previous' must be a list of the previous card's rows") end
  local ids, rows = {}, {}
  for i, r in ipairs(list) do
    if type(r) ~= "table" or type(r.id) ~= "string" then
      fail(fname, "previous[%d] is not an object with a string id", i)
    end
    ids[i] = r.id
    local st = type(r.state) == "table" and r.state or nil
    rows[i] = { id = r.id, rank = math.tointeger(r.rank) or i, priority = str(r.priority, nil),
      state = st and { id = str(st.id, nil), name = str(st.name, nil), group = str(st.group, nil) } or nil,
      target_date = str(r.target_date, nil) }
  end
  batch.previous = { ids = ids, rows = rows }
end

-- A saved list of labels, cycles or modules: the objects with a string id, as the
-- needs decode them; the ids of each one's issues go back into batch.items_of.
local function load_list(batch, list, make)
  if not is_list(list) then return nil end
  local out = {}
  for _, g in ipairs(list) do
    if type(g) == "table" and type(g.id) == "string" then
      out[#out + 1] = make(g)
      if is_list(g.issues) then
        batch.items_of = batch.items_of or {}
        local ids = {}
        for _, id in ipairs(g.issues) do
          if type(id) == "string" then ids[#ids + 1] = id end
        end
        batch.items_of[g.id] = ids
      end
    end
  end
  return out
end

local function load_needs(batch, meta, p)
  meta.labels = load_list(batch, p.labels, needs.label)
  meta.cycles = load_list(batch, p.cycles, needs.cycle)
  meta.current_cycle = meta.cycles and meta.cycles[1]
  meta.modules = load_list(batch, p.modules, needs.module)
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
    load_needs(batch, meta, p)
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
    if not S.READS[v.format] then
      fail(fname, "format %q is not one this version reads (%q, or the older %q)", tostring(v.format),
        S.SAVED_FORMAT, "plane-teams sync 1")
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
