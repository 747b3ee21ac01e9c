-- A card a team might write instead of the shipped one: one emphasis Container, a
-- "KEY · name" line per row, no columns, no languages. tests/scripts/kept.sh puts it in place of
-- scripts/card.lua to show that only card_spec.lua tests the shipped card.
local M = {}

function M.card(rows, ctx)
  local lines = {}
  for _, r in ipairs(rows) do
    lines[#lines + 1] = { type = "TextBlock", wrap = true, spacing = "None",
      text = (r.key or ("#" .. r.rank)) .. " · " .. r.name }
  end
  return {
    type = "AdaptiveCard", version = "1.2",
    body = {
      { type = "TextBlock", text = "Today: " .. ctx.total .. " open", weight = "Bolder", wrap = true },
      { type = "Container", style = "emphasis", items = lines },
    },
  }
end

return M
