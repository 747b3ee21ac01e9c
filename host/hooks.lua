-- The host's own Lua, as the C host calls it: every hook takes one table and returns
-- one table, both read by field name (host/hook.h describes the C side of each). The
-- fields of each hook are written here, once; a field missing on either side fails
-- loudly. `a.scripts` is the user's {transform, card, dir, languages}, held by the host
-- (host/script.c) and handed to every hook; no module keeps state of its own.
local needs = require("needs")
local onboard = require("onboard")
local pages = require("pages")
local render = require("render")
local sample = require("sample")
local saved = require("saved")

local H = {}

-- -> {batch}
function H.new() return { batch = pages.new() } end
function H.sample() return { batch = sample() } end

-- {batch, states} -> nothing
function H.pick_states(a) pages.pick_states(a.batch, a.states) end
-- {batch} -> {count}
function H.count(a) return { count = pages.count(a.batch) } end

local function paged(more, cursor, count)
  return { has_next = more, next_cursor = cursor, count = count }
end

-- {batch, pid, body, where} -> {has_next, next_cursor, count}
-- The page's body and the issues dropped from it go at once, before the next page comes:
-- the peak holds one page, not the garbage of several.
function H.add_issues_page(a)
  local out = paged(pages.add_issues_page(a.batch, a.pid, a.body, a.where))
  rawset(a, "body", nil)
  collectgarbage("collect")
  return out
end
function H.add_states_page(a) return paged(pages.add_states_page(a.batch, a.pid, a.body, a.where)) end
-- {batch, body, where} -> {has_next, next_cursor, count}
function H.add_projects_page(a) return paged(pages.add_projects_page(a.batch, a.body, a.where)) end

-- the scripts' needs: {batch, pid, body, where} -> {has_next, next_cursor, count} (and
-- ids: the cycles or modules whose issues come next)
function H.add_labels_page(a) return paged(needs.add_labels_page(a.batch, a.pid, a.body, a.where)) end
function H.set_cycles(a)
  local ids = needs.set_cycles(a.batch, a.pid, a.body, a.where)
  return { ids = ids, has_next = false, next_cursor = "", count = #ids }
end
function H.add_modules_page(a)
  local ids, more, cursor, count = needs.add_modules_page(a.batch, a.pid, a.body, a.where)
  local out = paged(more, cursor, count)
  out.ids = ids
  return out
end
-- {batch, pid, need, of, body, where} -> {has_next, next_cursor, count}
function H.add_items_of(a) return paged(needs.add_items_of(a.batch, a.of, a.body, a.where)) end
-- {batch, pid, need} -> nothing
function H.drop_need(a) needs.drop(a.batch, a.pid, a.need) end

-- {batch, pid, body, where} -> nothing
function H.set_project(a) pages.set_project(a.batch, a.pid, a.body, a.where) end
function H.set_members(a) pages.set_members(a.batch, a.pid, a.body, a.where) end

-- {batch} -> {json}
function H.save(a) return { json = saved.save(a.batch, a.previous) } end
-- {batch, body, where (the file's name)} -> nothing
function H.add_issues_file(a) saved.add_issues_file(a.batch, a.body, a.where) end

-- {batch, ctx, budget, skip_empty} -> {envelope?, ids, fetched, matching, transform_ms, card_ms}
function H.render(a) return render.render(a.scripts, a.batch, a.ctx, a.budget, a.skip_empty) end
-- {language, where} -> nothing
function H.check_language(a) render.check_language(a.scripts, a.language, a.where) end

-- {batch, wanted, workspace} -> {text}
function H.choose_projects(a) return { text = onboard.choose_projects(a.batch, a.wanted, a.workspace) } end
-- {batch, workspace, limit, states, chosen, as_json} -> {text}
function H.discover(a) return { text = onboard.discover(a.batch, a, a.chosen, a.as_json) } end
-- {batch, workspace, limit, states, pid} -> {text, warnings}
function H.online_project(a)
  local text, warnings = onboard.online_project(a.batch, a, a.pid)
  return { text = text, warnings = warnings }
end

-- An argument the C side did not send is an error naming the hook and the field, not a
-- nil that turns up later somewhere else.
for name, hook in pairs(H) do
  local strict = { __index = function(_, k)
    error(string.format("internal: hook %s: no argument '%s'", name, tostring(k)), 0)
  end }
  H[name] = function(a) return hook(setmetatable(a, strict)) end
end

return H
