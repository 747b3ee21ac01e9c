-- The host's own Lua: what the scripts' needs (M.needs) bring. Plane's replies for a
-- project's labels, current cycles and modules, and the issues of each cycle and open
-- module, decoded into the batch; then, for the scripts, each issue's label_names, cycle
-- and module_names.
--
-- In the batch, per project: p.labels {id, name, color}, p.cycles (the current ones,
-- {id, name, start_date, end_date}), p.current_cycle (the first of them), p.modules
-- {id, name, status, start_date, target_date}; batch.items_of[cycle or module id] the ids
-- of its issues, in Plane's order. A need that was not fetched leaves them nil.
local cardcheck = require("cardcheck")
local pages = require("pages")

local N = {}

local is_list = cardcheck.is_list
local str, fail, project = pages.str, pages.fail, pages.project

-- The module statuses whose issues are not read: the work is over.
N.CLOSED = { completed = true, cancelled = true }

local function date(v) return type(v) == "string" and v:sub(1, 10) or nil end

function N.label(v)
  return { id = v.id, name = str(v.name, ""), color = str(v.color, nil) }
end

function N.cycle(v)
  return { id = v.id, name = str(v.name, ""), start_date = date(v.start_date), end_date = date(v.end_date) }
end

function N.module(v)
  return { id = v.id, name = str(v.name, ""), status = str(v.status, nil), start_date = date(v.start_date),
    target_date = date(v.target_date) }
end

local function items_of(batch, id)
  batch.items_of = batch.items_of or {}
  local list = batch.items_of[id]
  if not list then
    list = {}
    batch.items_of[id] = list
  end
  return list
end

-- One page of GET …/labels/.
function N.add_labels_page(batch, pid, body, where)
  local results, more, cursor, count = pages.page(body, where)
  local p = project(batch, pid)
  p.labels = p.labels or {}
  for _, v in ipairs(results) do p.labels[#p.labels + 1] = N.label(v) end
  return more, cursor, count
end

-- GET …/cycles/?cycle_view=current: Plane answers with a plain array. Returns the ids.
function N.set_cycles(batch, pid, body, where)
  local v = pages.decode(body, where)
  if not is_list(v) then
    fail(where, "expected a JSON array of cycles, got %s", type(v) == "table" and "an object" or type(v))
  end
  local p, ids = project(batch, pid), {}
  p.cycles = {}
  for i, c in ipairs(v) do
    if type(c) ~= "table" or type(c.id) ~= "string" or c.id == "" then
      fail(where, "cycles[%d] is not an object with a string id", i)
    end
    p.cycles[i] = N.cycle(c)
    ids[i] = c.id
    items_of(batch, c.id)
  end
  p.current_cycle = p.cycles[1]
  return ids
end

-- One page of GET …/modules/. Returns the ids of its open modules, whose issues are read.
function N.add_modules_page(batch, pid, body, where)
  local results, more, cursor, count = pages.page(body, where)
  local p, ids = project(batch, pid), {}
  p.modules = p.modules or {}
  for _, v in ipairs(results) do
    local m = N.module(v)
    p.modules[#p.modules + 1] = m
    if not N.CLOSED[m.status] then
      ids[#ids + 1] = m.id
      items_of(batch, m.id)
    end
  end
  return ids, more, cursor, count
end

-- One page of …/cycle-issues/ or …/module-issues/ (asked with fields=id).
function N.add_items_of(batch, of, body, where)
  local results, more, cursor, count = pages.page(body, where)
  local list = items_of(batch, of)
  for _, v in ipairs(results) do list[#list + 1] = v.id end
  return more, cursor, count
end

-- A need Plane refused for project pid: none of its data, as if it had not been asked.
function N.drop(batch, pid, need)
  local p = project(batch, pid)
  if need == "labels" then
    p.labels = nil
  elseif need == "cycles" then
    for _, c in ipairs(p.cycles or {}) do if batch.items_of then batch.items_of[c.id] = nil end end
    p.cycles, p.current_cycle = nil, nil
  elseif need == "modules" then
    for _, m in ipairs(p.modules or {}) do if batch.items_of then batch.items_of[m.id] = nil end end
    p.modules = nil
  end
end

-- For prepare: issue id -> its current cycle, and issue id -> its open modules' names.
local function memberships(batch)
  local cycle_of, modules_of = {}, {}
  local items = batch.items_of or {}
  for _, p in pairs(batch.projects) do
    for _, c in ipairs(p.cycles or {}) do
      for _, id in ipairs(items[c.id] or {}) do cycle_of[id] = cycle_of[id] or c end
    end
    for _, m in ipairs(p.modules or {}) do
      for _, id in ipairs(items[m.id] or {}) do
        local names = modules_of[id] or {}
        names[#names + 1] = m.name
        modules_of[id] = names
      end
    end
  end
  return cycle_of, modules_of
end

-- Each issue of a project whose need was fetched gets label_names (in the order of
-- issue.labels, unknown ids left out), cycle (its current cycle or nil) and module_names
-- (the open modules it is in, in the project's order of modules). Only for the needs the
-- scripts declare (wanted: {labels, cycles, modules}): the built-in sample carries them
-- all, and a script must see there what it sees in a sync.
function N.attach(batch, wanted)
  wanted = wanted or {}
  local names = {}
  for pid, p in pairs(batch.projects) do
    if p.labels and wanted.labels then
      local m = {}
      for _, l in ipairs(p.labels) do m[l.id] = l.name end
      names[pid] = m
    end
  end
  local cycle_of, modules_of = memberships(batch)
  for _, issue in ipairs(batch.issues) do
    local p = batch.projects[issue.project]
    local m = names[issue.project]
    if m then
      local out = {}
      for _, l in ipairs(type(issue.labels) == "table" and issue.labels or {}) do
        local id = type(l) == "table" and l.id or l
        if type(id) == "string" and m[id] then out[#out + 1] = m[id] end
      end
      issue.label_names = out
    end
    issue.cycle = wanted.cycles and p and p.cycles and cycle_of[issue.id] or nil
    if wanted.modules and p and p.modules then issue.module_names = modules_of[issue.id] or {} end
  end
end

-- ctx.projects (a copy of the batch's): labels, current_cycle and modules for the needs
-- the scripts declare, nothing of the others; the host's list of current cycles stays out.
function N.for_scripts(projects, wanted)
  wanted = wanted or {}
  for _, p in pairs(projects) do
    if not wanted.labels then p.labels = nil end
    if not wanted.cycles then p.current_cycle = nil end
    if not wanted.modules then p.modules = nil end
    p.cycles = nil
  end
  return projects
end

return N
