-- Gallery: rows grouped by project, with a header per project. The rows keep their
-- order inside a project (transform.lua's) and their overall rank; a project comes where
-- its first row came. The shipped card (scripts/card.lua copied beside this file as
-- default_card.lua) draws the rows.
local default = require("default_card")

local M = { LANGUAGES = default.LANGUAGES }

-- The rows grouped by project (stable), and the project of each group in order.
local function grouped(rows)
  local order, groups = {}, {}
  for _, row in ipairs(rows) do
    if not groups[row.project] then
      groups[row.project] = {}
      order[#order + 1] = row.project
    end
    table.insert(groups[row.project], row)
  end
  local out = {}
  for _, pid in ipairs(order) do
    for _, row in ipairs(groups[pid]) do out[#out + 1] = row end
  end
  return out, order, groups
end

local function project_title(ctx, pid, n)
  local p = ctx.projects[pid] or {}
  local name = p.name or p.identifier or pid
  return string.format("%s (%d)", name, n)
end

function M.card(rows, ctx)
  local sorted, order, groups = grouped(rows)
  local card = default.card(sorted, ctx)
  local body, g, seen = {}, 0, 0
  for _, el in ipairs(card.body) do
    if el.type == "ColumnSet" then
      if seen == 0 then -- the first row of the next project: its header
        g = g + 1
        seen = #groups[order[g]]
        body[#body + 1] = default.literal(project_title(ctx, order[g], seen),
          { weight = "Bolder", color = "accent" }, { spacing = "Large", separator = g > 1 })
      end
      seen = seen - 1
    end
    body[#body + 1] = el
  end
  card.body = body
  return card
end

return M
