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
--   overdue / due_in: {one = for 1, other = for N (%d)}
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

-- The line under the name: state (bold) · key (a link) · assignees · due date.
local function detail(row, w)
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
  if type(row.assignees) == "table" and #row.assignees > 0 then add(table.concat(row.assignees, ", ")) end
  local due, color = M.due_words(row.due_in, w)
  if due then add(due, { color = color, weight = color and "Bolder" or nil }, color ~= nil) end
  if #inlines == 0 then return nil end
  return { type = "RichTextBlock", spacing = "None", inlines = inlines }
end

local function row_set(row, w)
  local p = M.PRIORITY[row.priority] or M.PRIORITY.none
  local label = w.priority[row.priority] or w.priority.none
  local name = { M.run(row.name) }
  if row.is_new then name[2] = M.run(" 🆕") end
  local items = { { type = "RichTextBlock", inlines = name } }
  items[2] = detail(row, w)
  return {
    type = "ColumnSet",
    separator = true,
    spacing = "Small",
    selectAction = { type = "Action.OpenUrl", url = row.url },
    columns = {
      { type = "Column", width = M.RANK_WIDTH,
        items = { text("#" .. row.rank, { weight = "Bolder" }) } },
      { type = "Column", width = M.PRIORITY_WIDTH,
        items = { text(p.emoji .. " " .. label, { color = p.color, weight = "Bolder" }) } },
      { type = "Column", width = "stretch", items = items },
    },
  }
end

function M.card(rows, ctx)
  local w = words(ctx)
  local body = { header(rows, ctx, w) }
  if #rows == 0 then
    body[#body + 1] = text(w.empty, { spacing = "Medium" })
  end
  for _, row in ipairs(rows) do body[#body + 1] = row_set(row, w) end
  local total = ctx.total or #rows
  if total > #rows then
    body[#body + 1] = text(string.format(w.more, total - #rows), { isSubtle = true, spacing = "Medium" })
  end
  return {
    type = "AdaptiveCard",
    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
    version = "1.2",
    msteams = { width = "Full" },
    body = body,
  }
end

return M
