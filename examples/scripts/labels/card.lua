-- Gallery: the shipped card (scripts/card.lua copied beside this file as
-- default_card.lua) with each row's labels at the end of its detail line, "🏷 bug, frontend".
local default = require("default_card")

local M = { LANGUAGES = default.LANGUAGES }

function M.card(rows, ctx)
  local card = default.card(rows, ctx)
  local i = 0
  for _, el in ipairs(card.body) do
    if el.type == "ColumnSet" then -- one per row, in the rows' order
      i = i + 1
      local labels = rows[i].labels
      local main = el.columns[3].items
      if type(labels) == "table" and #labels > 0 then
        if not main[2] then main[2] = { type = "RichTextBlock", spacing = "None", inlines = {} } end
        local inlines = main[2].inlines
        if #inlines > 0 then inlines[#inlines + 1] = default.run(" · ", { isSubtle = true }) end
        inlines[#inlines + 1] = default.run("🏷 " .. table.concat(labels, ", "), { color = "accent" })
      end
    end
  end
  return card
end

return M
