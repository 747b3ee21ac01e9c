-- The host's own Lua: the built-in sample `check` and every reload run the scripts on.
-- Built fresh on each call: nothing of it is shared between two digests.
local cjson = require("cjson")
local pages = require("pages")

local null = cjson.null
local project, add_issue = pages.project, pages.add_issue

-- The built-in sample used by `check` and by reloads: two projects, every priority,
-- states picked by name and by group, a null, a non-ASCII name, members, an assignee who
-- is no member, a due date.
local P1, P2 = "0f1e2d3c-4b5a-4697-8877-665544332211", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
local function sid(n) return string.format("4d3c2b1a-0000-4000-8000-%012d", n) end
local function sample_states()
  return {
    en_cours = { id = sid(11), name = "En cours", group = "started" },
    a_faire = { id = sid(12), name = "A faire", group = "unstarted" },
    backlog = { id = sid(13), name = "Backlog", group = "backlog" },
    done = { id = sid(1), name = "Done", group = "completed" },
    progress = { id = sid(2), name = "In Progress", group = "started" },
    todo = { id = sid(3), name = "Todo", group = "unstarted" },
  }
end

-- What the scripts' needs bring, as if every need had been asked: labels (one id no
-- label has), a current cycle in WEB (none in OPS), modules (one completed, whose issues
-- are not read), and updated_at on every issue.
local function add_needs(batch, p1, p2, list)
  local function lid(n) return string.format("1abe1abe-0000-4000-8000-%012d", n) end
  p1.labels = { { id = lid(1), name = "bug", color = "#e5484d" },
    { id = lid(2), name = "frontend", color = "#3e63dd" } }
  p2.labels = { { id = lid(3), name = "infra", color = "#30a46c" } }
  local labels = { { lid(1), lid(2) }, { lid(2) }, { lid(2), lid(99) }, {}, { lid(3) }, {}, {} }
  local cycle = { id = "c7c7c7c7-0000-4000-8000-000000000001", name = "Sprint 48", start_date = "2026-01-01",
    end_date = "2026-01-14" }
  p1.cycles, p1.current_cycle = { cycle }, cycle
  p2.cycles = {}
  local open = { id = "30d030d0-0000-4000-8000-000000000001", name = "Connexion", status = "in-progress",
    start_date = "2025-12-15", target_date = "2026-02-01" }
  local over = { id = "30d030d0-0000-4000-8000-000000000002", name = "Ancienne API", status = "completed" }
  p1.modules, p2.modules = { open, over }, {}
  batch.items_of = { [cycle.id] = { list[1].id, list[2].id, list[4].id },
    [open.id] = { list[1].id, list[3].id } }
  for i, issue in ipairs(list) do
    issue.labels = labels[i]
    issue.updated_at = string.format("2026-01-0%dT09:%02d:00.000000Z", 1 + i % 4, i)
  end
end

local function sample()
  local S = sample_states()
  local batch = pages.new()
  local p1 = project(batch, P1)
  p1.identifier, p1.name = "WEB", "Site web"
  p1.states = { S.backlog, S.a_faire, S.en_cours, S.done }
  local p2 = project(batch, P2)
  p2.identifier, p2.name = "OPS", "Opérations"
  p2.states = { S.todo, S.progress, S.done }
  local U1, U2 = "7e7e7e7e-0000-4000-8000-000000000001", "7e7e7e7e-0000-4000-8000-000000000002"
  p1.members = { [U1] = { id = U1, display_name = "zoe", first_name = "Zoé", last_name = "Martin" },
    [U2] = { id = U2, first_name = "Ahmed", last_name = "**Ben**" } }
  local function issue(n, pid, seq, name, priority, state, target_date, assignees)
    return { id = string.format("5a5a5a5a-0000-4000-8000-%012d", n), project = pid,
      sequence_id = seq, name = name, priority = priority, state = state.id,
      target_date = target_date or null, assignees = assignees or {} }
  end
  local list = {
    issue(1, P1, 12, "Corriger la redirection après connexion", "urgent", S.en_cours, "2026-01-05",
      { U1, U2, "7e7e7e7e-0000-4000-8000-00000000dead" }),
    issue(2, P1, 7, "Page d'accueil : réduire le temps de chargement", "high", S.a_faire, null, { U2 }),
    issue(3, P1, 30, "Traduire les e-mails 📧", "medium", S.backlog),
    issue(4, P1, 31, "Ancien ticket terminé", "urgent", S.done),
    issue(5, P2, 3, "Rotate the database credentials", "high", S.progress),
    issue(6, P2, 4, "Nightly backup check", "low", S.todo),
    issue(7, P2, 5, "Clean up old dashboards", null, S.todo),
  }
  for _, i in ipairs(list) do add_issue(batch, i, i.project) end
  add_needs(batch, p1, p2, list)
  return batch
end

return sample