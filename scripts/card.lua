-- card.lua: the Adaptive Card (version 1.2) that Teams shows.
--
--   M.card(rows, ctx) -> card
--
-- rows: what transform.lua returned (perhaps fewer, when the message had to fit
--       the size budget); ctx: as for transform, plus total (issues that matched).
-- The host wraps the card in the Teams message envelope. Only Adaptive Card 1.2
-- elements and properties: no "style", no Action.Submit. See docs/scripting.md.
local M = {}

-- Teams cannot colour text orange or blue (warning renders amber, accent purple),
-- so the emoji carries the colour and the text colour follows as close as it can.
M.PRIORITY = {
  urgent = { label = "URGENT", emoji = "🔴", color = "attention" },
  high = { label = "HIGH", emoji = "🟠", color = "warning" },
  medium = { label = "MEDIUM", emoji = "🟢", color = "good" },
  low = { label = "LOW", emoji = "🔵", color = "accent" },
  none = { label = "NONE", emoji = "⚪", color = "default" },
}

M.TITLE = "🎯 Top priority issues"
M.EMPTY = "✅ Nothing open in these states today."

local function text(s, props)
  local t = { type = "TextBlock", text = s, wrap = true }
  for k, v in pairs(props or {}) do t[k] = v end
  return t
end

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

local function header(rows, ctx)
  local line = ctx.date or ""
  local projects = project_names(ctx, rows)
  if projects ~= "" then line = line ~= "" and (line .. " · " .. projects) or projects end
  return {
    type = "Container",
    items = {
      text(M.TITLE, { weight = "Bolder", size = "Medium" }),
      text(line, { isSubtle = true, spacing = "None" }),
    },
  }
end

local function row_set(row)
  local p = M.PRIORITY[row.priority] or M.PRIORITY.none
  local name = row.name .. (row.is_new and " 🆕" or "")
  local state = type(row.state) == "table" and type(row.state.name) == "string" and row.state.name or ""
  local detail = {}
  if state ~= "" then detail[#detail + 1] = "**" .. state .. "**" end
  if row.key then detail[#detail + 1] = "[" .. row.key .. "](" .. row.url .. ")" end
  return {
    type = "ColumnSet",
    separator = true,
    spacing = "Small",
    selectAction = { type = "Action.OpenUrl", url = row.url },
    columns = {
      { type = "Column", width = "auto",
        items = { text("#" .. row.rank, { weight = "Bolder" }) } },
      { type = "Column", width = "auto",
        items = { text(p.emoji .. " " .. p.label, { color = p.color, weight = "Bolder" }) } },
      { type = "Column", width = "stretch",
        items = {
          text(name),
          text(table.concat(detail, " · "), { isSubtle = true, spacing = "None" }),
        } },
    },
  }
end

function M.card(rows, ctx)
  local body = { header(rows, ctx) }
  if #rows == 0 then
    body[#body + 1] = text(M.EMPTY, { spacing = "Medium" })
  end
  for _, row in ipairs(rows) do body[#body + 1] = row_set(row) end
  local total = ctx.total or #rows
  if total > #rows then
    body[#body + 1] = text(string.format("+ %d more", total - #rows),
      { isSubtle = true, spacing = "Medium" })
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
