-- Gallery: the shipped card (scripts/card.lua copied beside this file as default_card.lua)
-- titled with the current cycle: "🏃 Sprint 48 · ends Saturday, December 12, 2026"; one
-- part per project with a current cycle, the shipped title when none has one.
local default = require("default_card")

local M = { LANGUAGES = default.LANGUAGES }

M.ENDS = { en = "ends", fr = "fin" }

-- "Sprint 48 · ends …" for each project's current cycle, by project name.
local function cycles_line(ctx)
  local w = default.LANGUAGES[ctx.language] or default.LANGUAGES.en
  local ends = M.ENDS[ctx.language] or M.ENDS.en
  local parts = {}
  for _, p in pairs(ctx.projects) do
    local c = p.current_cycle
    if c and type(c.name) == "string" then
      local part = c.name
      if type(c.end_date) == "string" then
        part = part .. " · " .. ends .. " " .. default.date_line(c.end_date, w)
      end
      parts[#parts + 1] = part
    end
  end
  table.sort(parts)
  return #parts > 0 and ("🏃 " .. table.concat(parts, " | ")) or nil
end

function M.card(rows, ctx)
  local card = default.card(rows, ctx)
  local title = cycles_line(ctx)
  if title then card.body[1].items[1].inlines[1].text = title end
  return card
end

return M
