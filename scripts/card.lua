-- card.lua: the Adaptive Card (version 1.2) that Teams shows.
--
--   M.card(rows, ctx) -> card
--
-- rows: what transform.lua returned (perhaps fewer, when the message had to fit
--       the size budget); ctx: as for transform, plus total (issues that matched)
--       and language (the `language` setting, a key of M.LANGUAGES).
-- The host wraps the card in the Teams message envelope. Only Adaptive Card 1.2
-- elements and properties ("style" only where 1.2 has it: Container, Column and
-- ColumnSet), no Action.Submit. Dates come from the host's pt.dates. See
-- docs/scripting.md.
local dates = require("pt.dates")

local M = {}

-- Every word on the card, one table per language. Add a language by adding a table:
-- the `language` setting (env CARD_LANGUAGE) picks one, and the host refuses a
-- setting that names no table here.
--   date: the date line; {weekday}, {day}, {month} and {year} are replaced
--   days: how a day of the month is written when not as a plain number
--   overdue / due_in / stale: {one = for 1, other = for N (%d)}
--   raised: the mark of a row whose priority was raised (%s: the old priority's word)
--   open: the button to a project's list in Plane (%s: the project's identifier)
M.LANGUAGES = {
  en = {
    title = "🎯 Top priority issues",
    empty = "✅ Nothing open in these states today.",
    more = "+ %d more",
    date = "{weekday}, {month} {day}, {year}",
    weekdays = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" },
    months = { "January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December" },
    days = {},
    priority = { urgent = "URGENT", high = "HIGH", medium = "MEDIUM", low = "LOW", none = "NONE" },
    overdue = { one = "overdue 1 day", other = "overdue %d days" },
    due_today = "due today",
    due_in = { one = "due tomorrow", other = "due in %d days" },
    stale = { one = "no activity for 1 working day", other = "no activity for %d working days" },
    raised = "⬆ was %s",
    open = "Open %s in Plane",
  },
  fr = {
    title = "🎯 Tickets prioritaires",
    empty = "✅ Rien d'ouvert dans ces états aujourd'hui.",
    more = "+ %d autres",
    date = "{weekday} {day} {month} {year}",
    weekdays = { "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi" },
    months = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
      "septembre", "octobre", "novembre", "décembre" },
    days = { [1] = "1er" },
    priority = { urgent = "URGENT", high = "HAUTE", medium = "MOYENNE", low = "BASSE", none = "AUCUNE" },
    overdue = { one = "en retard d'1 jour", other = "en retard de %d jours" },
    due_today = "échéance aujourd'hui",
    due_in = { one = "échéance demain", other = "échéance dans %d jours" },
    stale = { one = "aucune activité depuis 1 jour ouvré", other = "aucune activité depuis %d jours ouvrés" },
    raised = "⬆ était %s",
    open = "Ouvrir %s dans Plane",
  },
}

-- Teams cannot colour text orange or blue (warning renders amber, accent purple),
-- so the emoji carries the colour and the text colour follows as close as it can.
M.PRIORITY = {
  urgent = { emoji = "🔴", color = "attention" },
  high = { emoji = "🟠", color = "warning" },
  medium = { emoji = "🟢", color = "good" },
  low = { emoji = "🔵", color = "accent" },
  none = { emoji = "⚪", color = "default" },
}

-- Fixed widths, so that rank, priority and name start at the same x on every row.
M.RANK_WIDTH = "36px"
M.PRIORITY_WIDTH = "116px"
-- A due date at most this many days ahead is shown.
M.DUE_SOON_DAYS = 7
-- A button per project under the rows, when the digest has at most this many projects.
M.MAX_PROJECT_BUTTONS = 3

-- ---- literal text ------------------------------------------------------------
-- Teams reads a TextBlock's text as markdown: `**x**`, `_x_`, `[x](y)`, "- " or "+ " at
-- the start of a line… A TextRun is never read as markdown, so every text on the card
-- (names from Plane and our own words alike) goes in TextRuns, shown exactly as written.

-- A TextRun of s, with TextRun properties (weight, color, isSubtle, italic, selectAction…).
function M.run(s, props)
  local r = { type = "TextRun", text = s }
  for k, v in pairs(props or {}) do r[k] = v end
  return r
end

-- A RichTextBlock holding s exactly as written; props are the TextRun's, and
-- block_props the block's (spacing, separator, horizontalAlignment…).
function M.literal(s, props, block_props)
  local b = { type = "RichTextBlock", inlines = { M.run(s, props) } }
  for k, v in pairs(block_props or {}) do b[k] = v end
  return b
end

-- Our own words go in TextRuns too: markdown would turn "+ 3 more" into a list item.
local BLOCK_PROPS = { spacing = true, separator = true, horizontalAlignment = true, id = true,
  isVisible = true, height = true }
local function text(s, props)
  local run, block = {}, {}
  for k, v in pairs(props or {}) do
    if BLOCK_PROPS[k] then block[k] = v else run[k] = v end
  end
  return M.literal(s, run, block)
end

-- ---- mentions ----------------------------------------------------------------
-- Teams reads a mention only in a TextBlock, as the exact text of one of the card's
-- msteams.entities ("<at>Name</at>"). So the assignees of a row with a mention go in a
-- TextBlock, where the names are escaped: every character that markdown could read as
-- formatting gets a backslash, and the same escaped name is the entity's text, so both
-- are equal byte for byte. Line breaks and tabs become spaces.

local MD_SPECIAL = "[\\`*_~%[%]<>&|!#]"

-- s escaped for a TextBlock: shown exactly as written. at_start: s begins the text, where
-- "- ", "+ ", "1. " and "#" would start a list or a heading.
function M.escape_md(s, at_start)
  s = s:gsub("[%c]", " "):gsub(MD_SPECIAL, "\\%0")
  if at_start then
    s = s:gsub("^([-+=])", "\\%1"):gsub("^(%d+)([.)])", "%1\\%2")
  end
  return s
end

-- The assignees of a row as TextBlock text and the entities of those with a Teams id:
-- "<at>Zoé</at>, Ana" and {{type = "mention", text = "<at>Zoé</at>", mentioned = {…}}}.
function M.mention_text(names, ids)
  local parts, entities = {}, {}
  for i, name in ipairs(names) do
    local shown = M.escape_md(name, i == 1)
    local id = ids and ids[i]
    if type(id) == "string" and id ~= "" then
      shown = "<at>" .. M.escape_md(name) .. "</at>"
      entities[#entities + 1] = { type = "mention", text = shown, mentioned = { id = id, name = name } }
    end
    parts[i] = shown
  end
  return table.concat(parts, ", "), entities
end

local function has_mention(row)
  if type(row.mention_ids) ~= "table" then return false end
  for _, id in ipairs(row.mention_ids) do
    if type(id) == "string" and id ~= "" then return true end
  end
  return false
end

-- ---- words -------------------------------------------------------------------

local function words(ctx)
  return M.LANGUAGES[ctx.language or "en"] or M.LANGUAGES.en
end

local function count_words(forms, n)
  return n == 1 and forms.one or string.format(forms.other, n)
end

-- "2026-11-28" -> "Saturday, November 28, 2026" in the card's language; no locale.
function M.date_line(date, w)
  local t = dates.parse(date)
  if not t then return date or "" end
  local parts = { weekday = w.weekdays[dates.weekday(t.number) + 1], day = w.days[t.day] or tostring(t.day),
    month = w.months[t.month], year = tostring(t.year) }
  return (w.date:gsub("{(%a+)}", function(k) return parts[k] end))
end

-- The due-date words of a row and their colour, or nil.
function M.due_words(due_in, w)
  if type(due_in) ~= "number" then return nil end
  if due_in < 0 then return count_words(w.overdue, -due_in), "attention" end
  if due_in == 0 then return w.due_today, "warning" end
  if due_in <= M.DUE_SOON_DAYS then return count_words(w.due_in, due_in), nil end
  return nil
end

-- ---- layout ------------------------------------------------------------------

local function project_names(ctx, rows)
  local names, seen = {}, {}
  local projects = ctx.projects or {}
  local ids = {}
  for pid in pairs(projects) do ids[#ids + 1] = pid end
  for _, row in ipairs(rows) do
    if not projects[row.project] then ids[#ids + 1] = row.project end
  end
  for _, pid in ipairs(ids) do
    local p = projects[pid] or {}
    local name = type(p.name) == "string" and p.name or p.identifier
    if type(name) == "string" and not seen[name] then
      seen[name] = true
      names[#names + 1] = name
    end
  end
  table.sort(names)
  return table.concat(names, ", ")
end

local function header(rows, ctx, w)
  local line = M.date_line(ctx.date, w)
  local projects = project_names(ctx, rows)
  if projects ~= "" then line = line ~= "" and (line .. " · " .. projects) or projects end
  return {
    type = "Container",
    items = {
      text(w.title, { weight = "Bolder", size = "Medium" }),
      M.literal(line, { isSubtle = true }, { spacing = "None" }),
    },
  }
end

-- The line under the name: state (bold) · key (a link) · assignees · due date · staleness.
-- mention: the assignees go in a TextBlock of their own (see mentions).
local function detail(row, w, mention)
  local inlines = {}
  local function add(s, props, loud)
    props = props or {}
    if not loud then props.isSubtle = true end
    if #inlines > 0 then inlines[#inlines + 1] = M.run(" · ", { isSubtle = true }) end
    inlines[#inlines + 1] = M.run(s, props)
  end
  local state = type(row.state) == "table" and type(row.state.name) == "string" and row.state.name or ""
  if state ~= "" then add(state, { weight = "Bolder" }) end
  if row.key then add(row.key, { selectAction = { type = "Action.OpenUrl", url = row.url } }) end
  if not mention and type(row.assignees) == "table" and #row.assignees > 0 then
    add(table.concat(row.assignees, ", "))
  end
  local due, color = M.due_words(row.due_in, w)
  if due then add(due, { color = color, weight = color and "Bolder" or nil }, color ~= nil) end
  if type(row.stale_days) == "number" then
    add(count_words(w.stale, row.stale_days), { italic = true })
  end
  if #inlines == 0 then return nil end
  return { type = "RichTextBlock", spacing = "None", inlines = inlines }
end

-- The priority column: the label, and under it "⬆ was HIGH" when it was raised.
local function priority_items(row, w)
  local p = M.PRIORITY[row.priority] or M.PRIORITY.none
  local label = w.priority[row.priority] or w.priority.none
  local items = { text(p.emoji .. " " .. label, { color = p.color, weight = "Bolder" }) }
  local from = type(row.changes) == "table" and row.changes.priority_from
  if type(from) == "string" and w.priority[from] then
    items[2] = text(string.format(w.raised, w.priority[from]),
      { isSubtle = true, size = "Small", spacing = "None" })
  end
  return items
end

-- One row; entities gets the row's mentions (when ctx.mentions).
local function row_set(row, w, entities)
  local name = { M.run(row.name) }
  if row.is_new then name[2] = M.run(" 🆕") end
  local items = { { type = "RichTextBlock", inlines = name } }
  local mention = entities ~= nil and has_mention(row)
  items[#items + 1] = detail(row, w, mention)
  if mention then
    local line, found = M.mention_text(row.assignees, row.mention_ids)
    items[#items + 1] = { type = "TextBlock", text = line, isSubtle = true, wrap = true, spacing = "None" }
    for _, e in ipairs(found) do entities[#entities + 1] = e end
  end
  return {
    type = "ColumnSet",
    separator = true,
    spacing = "Small",
    selectAction = { type = "Action.OpenUrl", url = row.url },
    columns = {
      { type = "Column", width = M.RANK_WIDTH,
        items = { text("#" .. row.rank, { weight = "Bolder" }) } },
      { type = "Column", width = M.PRIORITY_WIDTH, items = priority_items(row, w) },
      { type = "Column", width = "stretch", items = items },
    },
  }
end

-- A way into Plane: a button per project of the digest (at most MAX_PROJECT_BUTTONS, else
-- none), to its list of issues, or to its current cycle when the scripts asked Plane for
-- cycles (M.needs) and the project has one (ctx.projects[pid].current_cycle).
function M.project_actions(ctx, w)
  local projects, list = ctx.projects or {}, {}
  for pid, p in pairs(projects) do
    if type(p) == "table" then
      list[#list + 1] = { id = pid, label = p.identifier or p.name or pid, p = p }
    end
  end
  if #list == 0 or #list > M.MAX_PROJECT_BUTTONS or not ctx.app_url or not ctx.workspace then return nil end
  table.sort(list, function(a, b)
    if a.label ~= b.label then return tostring(a.label) < tostring(b.label) end
    return a.id < b.id
  end)
  local actions = {}
  for i, e in ipairs(list) do
    local base = string.format("%s/%s/projects/%s/", ctx.app_url, ctx.workspace, e.id)
    local cycle = e.p.current_cycle
    local url = type(cycle) == "table" and type(cycle.id) == "string" and base .. "cycles/" .. cycle.id
      or base .. "issues/"
    actions[i] = { type = "Action.OpenUrl", title = string.format(w.open, tostring(e.label)), url = url }
  end
  return actions
end

function M.card(rows, ctx)
  local w = words(ctx)
  local body = { header(rows, ctx, w) }
  local entities = ctx.mentions and {} or nil
  if #rows == 0 then
    body[#body + 1] = text(w.empty, { spacing = "Medium" })
  end
  for _, row in ipairs(rows) do body[#body + 1] = row_set(row, w, entities) end
  local total = ctx.total or #rows
  if total > #rows then
    body[#body + 1] = text(string.format(w.more, total - #rows), { isSubtle = true, spacing = "Medium" })
  end
  local msteams = { width = "Full" }
  if entities and #entities > 0 then msteams.entities = entities end
  return {
    type = "AdaptiveCard",
    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
    version = "1.2",
    msteams = msteams,
    body = body,
    actions = M.project_actions(ctx, w),
  }
end

return M
