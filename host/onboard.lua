-- The host's own Lua for `discover` and `check --online` (host/onboard.c): the choice of
-- projects, the config.lua fragment, the per-project report. `cfg` is the digest's
-- {workspace, limit, states} as host/reports.c hands it over.
local cjson = require("cjson")
local native = require("host.native")
local picking = require("states")

local O = {}

local null = cjson.null
local fold = picking.fold

-- The listed projects chosen by `wanted` (identifiers or UUIDs, comma-separated; "": all)
-- as ids separated by commas, or an error naming what is not in the workspace.
function O.choose_projects(batch, wanted, workspace)
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
      local ids, by = picking.state_picks(p.states, c)
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
function O.discover(batch, cfg, chosen_csv, as_json)
  local chosen = split(chosen_csv)
  local frag, entries = fragment(batch, chosen, cfg.states)
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
    for k, c in ipairs(cfg.states) do
      local picks = {}
      for _, pid in ipairs(chosen) do
        local ids, by = picking.state_picks(batch.projects[pid].states, c)
        picks[#picks + 1] = { project = pid, by = by or null, states = ids }
      end
      states[k] = { id = c.id, name = c.name, group = c.group, lua = entries[k].text, picks = picks }
    end
    return native.encode({ workspace = cfg.workspace, projects = projects, chosen = chosen,
      states = states, fragment = frag }, "discover")
  end
  local out = {}
  out[#out + 1] = string.format("workspace %s: %d project%s the API key can read", cfg.workspace, #listed,
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
function O.online_project(batch, cfg, pid)
  local p = batch.projects[pid]
  local out, warnings = {}, 0
  local total, open, picked = 0, 0, {}
  for k, c in ipairs(cfg.states) do
    local ids, by = picking.state_picks(p.states, c)
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
      .. "all)", on_card, on_card == 1 and "" or "s", math.tointeger(cfg.limit) or 0)
  end
  return table.concat(out, "\n") .. "\n", warnings
end

return O
