-- Gallery: only the current cycle's issues (each project's current cycle), in the
-- shipped order (scripts/transform.lua copied beside this file as default.lua).
local default = require("default")

local M = { needs = { cycles = true } }

function M.transform(issues, ctx)
  local sprint = {}
  for _, issue in ipairs(issues) do
    if issue.cycle then sprint[#sprint + 1] = issue end
  end
  return default.transform(sprint, ctx)
end

return M
