-- A transform a team might write instead of the shipped one: the newest issues first
-- (by sequence number), whatever their priority, with the rows the shipped card reads.
-- tests/scripts/kept.sh puts it in place of scripts/transform.lua.
local M = {}

function M.transform(issues, ctx)
  local sorted = {}
  for i, issue in ipairs(issues) do sorted[i] = issue end
  table.sort(sorted, function(a, b) return (a.sequence_id or 0) > (b.sequence_id or 0) end)
  local rows = {}
  for i = 1, math.min(ctx.limit, #sorted) do
    local issue = sorted[i]
    local url = string.format("%s/%s/projects/%s/issues/%s", ctx.app_url, ctx.workspace, issue.project, issue.id)
    rows[i] = { rank = i, id = issue.id, name = tostring(issue.name), priority = issue.priority,
      key = issue.sequence_id and ("#" .. issue.sequence_id) or nil, url = url, project = issue.project,
      state = { id = issue.state.id, name = issue.state.name, group = issue.state.group },
      is_new = false, assignees = issue.assignee_names or {} }
  end
  return rows, #sorted
end

return M
