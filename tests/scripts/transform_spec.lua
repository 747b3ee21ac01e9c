local cjson = require("cjson")
local T = require("transform")
local H = require("helpers")

local function ids(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.id end
  return out
end

describe("transform: state matching", function()
  it("keeps issues whose state is configured, by id", function()
    local keep = H.issue({ state = H.EN_COURS })
    local done = H.issue({ state = { id = "done", name = "Done", group = "completed" } })
    local ctx = H.ctx()
    table.insert(ctx.projects.p1.states, done.state)
    local rows, total = T.transform({ keep, done }, ctx)
    assert.same({ keep.id }, ids(rows))
    assert.equal(1, total)
  end)

  it("falls back to the name, ASCII letters case-insensitive, other characters exact", function()
    local st = { id = "x-en-cours", name = "EN COURS", group = "started" }
    local accented = { id = "x-a-faire", name = "À faire", group = "unstarted" }
    local project = { id = "p2", identifier = "OPS", name = "Ops", states = { st, accented } }
    local configured = { { name = "en cours" }, { name = "à faire" } }
    local a = H.issue({ project = "p2", state = st })
    local b = H.issue({ project = "p2", state = accented })
    local rows = T.transform({ a, b }, H.ctx({ projects = { p2 = project }, states = configured }))
    -- "À" is not an ASCII letter, so "à faire" does not match "À faire"
    assert.same({ a.id }, ids(rows))
  end)

  it("falls back to the group when the project has neither the id nor the name", function()
    local backlog = { id = "d-backlog", name = "Backlog", group = "backlog" }
    local todo = { id = "d-todo", name = "Todo", group = "unstarted" }
    local progress = { id = "d-progress", name = "In Progress", group = "started" }
    local done = { id = "d-done", name = "Done", group = "completed" }
    local project = { id = "p3", identifier = "DEF", states = { backlog, todo, progress, done } }
    local issues = {
      H.issue({ project = "p3", state = backlog, priority = "high" }),
      H.issue({ project = "p3", state = todo, priority = "high" }),
      H.issue({ project = "p3", state = progress, priority = "high" }),
      H.issue({ project = "p3", state = done, priority = "high" }),
    }
    local rows = T.transform(issues, H.ctx({ projects = { p3 = project } }))
    -- In Progress stands for En cours, Todo for A faire, Backlog by name
    assert.same({ issues[3].id, issues[2].id, issues[1].id }, ids(rows))
    assert.equal("In Progress", rows[1].state.name)
  end)

  it("leaves out another state of the group when the project has the named one", function()
    local review = { id = "x-review", name = "In Review", group = "started" }
    local ctx = H.ctx()
    table.insert(ctx.projects.p1.states, review)
    local a = H.issue({ state = H.EN_COURS })
    local b = H.issue({ state = review })
    assert.same({ a.id }, ids((T.transform({ a, b }, ctx))))
  end)

  it("ranks a state by the first configured state that picked it", function()
    local ranks = T.state_ranks({ { id = "s1", name = "Doing", group = "started" } },
      { { group = "started" }, { name = "Doing" } })
    assert.equal(1, ranks.s1)
  end)

  it("derives a project's states from its issues when it lists none", function()
    local s = { id = "zz", name = "A faire", group = "unstarted" }
    local i = H.issue({ project = "p9", state = s })
    local rows = T.transform({ i }, H.ctx({ projects = {} }))
    assert.same({ i.id }, ids(rows))
  end)
end)

describe("transform: order and limit", function()
  it("sorts by priority, then state order, then sequence_id, then id", function()
    local i1 = H.issue({ priority = "low", state = H.EN_COURS, sequence_id = 1 })
    local i2 = H.issue({ priority = "urgent", state = H.BACKLOG, sequence_id = 2 })
    local i3 = H.issue({ priority = "urgent", state = H.EN_COURS, sequence_id = 9 })
    local i4 = H.issue({ priority = "urgent", state = H.EN_COURS, sequence_id = 3 })
    local i5 = H.issue({ priority = "high", state = H.A_FAIRE, sequence_id = 4 })
    local i6 = H.issue({ priority = "none", state = H.EN_COURS, sequence_id = 5 })
    local i7 = H.issue({ priority = "medium", state = H.EN_COURS, sequence_id = 6 })
    local a = H.issue({ id = "bbb", priority = "medium", state = H.A_FAIRE, sequence_id = cjson.null })
    local b = H.issue({ id = "aaa", priority = "medium", state = H.A_FAIRE, sequence_id = cjson.null })
    local rows = T.transform({ i1, i2, i3, i4, i5, i6, i7, a, b }, H.ctx())
    assert.same({ i4.id, i3.id, i2.id, i5.id, i7.id, "aaa", "bbb", i1.id, i6.id }, ids(rows))
    for n, r in ipairs(rows) do assert.equal(n, r.rank) end
  end)

  it("keeps the first limit rows and reports the total that matched", function()
    local issues = {}
    for n = 1, 25 do issues[n] = H.issue({ sequence_id = 100 - n }) end
    local rows, total = T.transform(issues, H.ctx({ limit = 10 }))
    assert.equal(10, #rows)
    assert.equal(25, total)
    assert.equal(issues[25].id, rows[1].id)
  end)

  it("returns an empty list for no issues", function()
    local rows, total = T.transform({}, H.ctx())
    assert.same({}, rows)
    assert.equal(0, total)
  end)
end)

describe("transform: rows", function()
  it("fills every field, with the browse URL when the identifier is known", function()
    local i = H.issue({ sequence_id = 42, name = "Corriger l'accès — été 🎯", priority = "high" })
    local row = T.transform({ i }, H.ctx())[1]
    assert.same({
      rank = 1, id = i.id, key = "WEB-42", name = "Corriger l'accès — été 🎯", priority = "high",
      state = { id = H.EN_COURS.id, name = "En cours", group = "started" },
      url = "https://app.plane.so/acme/browse/WEB-42/", is_new = false, project = "p1",
    }, row)
  end)

  it("uses the UUID URL when the identifier is unknown", function()
    local i = H.issue({ project = "p7", sequence_id = 5 })
    local ctx = H.ctx({ projects = { p7 = { id = "p7", states = { H.EN_COURS } } } })
    local row = T.transform({ i }, ctx)[1]
    assert.equal("https://app.plane.so/acme/projects/p7/issues/" .. i.id, row.url)
    assert.equal("#5", row.key)
  end)

  it("marks rows that were not on the previous card as new", function()
    local old, new = H.issue(), H.issue()
    local rows = T.transform({ old, new }, H.ctx({ previous = { old.id } }))
    local by = {}
    for _, r in ipairs(rows) do by[r.id] = r.is_new end
    assert.is_false(by[old.id])
    assert.is_true(by[new.id])
  end)

  it("marks nothing new before the first post (no previous)", function()
    local rows = T.transform({ H.issue() }, H.ctx({ previous = nil }))
    assert.is_false(rows[1].is_new)
  end)

  it("tolerates JSON nulls and missing fields", function()
    local i = H.issue({ name = cjson.null, priority = cjson.null, sequence_id = cjson.null })
    local gone = H.issue({ state = cjson.null })
    local rows = T.transform({ i, gone }, H.ctx())
    assert.equal(1, #rows)
    assert.equal("(untitled)", rows[1].name)
    assert.equal("none", rows[1].priority)
    assert.is_nil(rows[1].key)
    assert.matches("/projects/p1/issues/", rows[1].url, 1, true)
  end)

  it("treats an unknown priority as none", function()
    local rows = T.transform({ H.issue({ priority = "critical" }) }, H.ctx())
    assert.equal("none", rows[1].priority)
  end)

  it("is pure: the input issues are not changed", function()
    local i = H.issue()
    local before = cjson.encode(i)
    T.transform({ i }, H.ctx())
    assert.equal(before, cjson.encode(i))
  end)
end)
