-- Gallery: labels on each row, the issues of one label first.
--   options = { first_label = "bug" } in config.lua (per digest if you like) puts the
--   issues with that label first; each row gets `labels`, its issue's label names.
-- The shipped rules do the sorting: scripts/transform.lua copied beside this file as
-- default.lua (a script may require another module of its folder).
local default = require("default")

local M = { needs = { labels = true } }

local function has(list, name)
  for _, v in ipairs(list or {}) do
    if v == name then return true end
  end
  return false
end

function M.transform(issues, ctx)
  local first, rest, names = {}, {}, {}
  local wanted = ctx.options.first_label
  for _, issue in ipairs(issues) do
    names[issue.id] = issue.label_names or {}
    local part = wanted and has(issue.label_names, wanted) and first or rest
    part[#part + 1] = issue
  end
  local rows = {}
  for _, part in ipairs({ first, rest }) do
    for _, row in ipairs((default.transform(part, ctx))) do
      if #rows < ctx.limit then
        row.rank = #rows + 1
        row.labels = names[row.id]
        rows[#rows + 1] = row
      end
    end
  end
  return rows, #issues
end

return M
