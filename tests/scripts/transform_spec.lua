local cjson = require("cjson")
local T = require("transform")
local H = require("helpers")

local function ids(rows)
  local out = {}
  for i, r in ipairs(rows) do out[i] = r.id end
  return out
end

describe("transform: order and limit", function()
  it("sorts by priority, then state rank, then sequence_id, then id", function()
    local i1 = H.issue({ priority = "low", state = H.EN_COURS, sequence_id = 1 })
    local i2 = H.issue({ priority = "urgent", state = H.BACKLOG, sequence_id = 2 })
    local i3 = H.issue({ priority = "urgent", state = H.EN_COURS, sequence_id = 9 })
    local i4 = H.issue({ priority = "urgent", state = H.EN_COURS, sequence_id = 3 })
    local i5 = H.issue({ priority = "high", state = H.A_FAIRE, sequence_id = 4 })
    local i6 = H.issue({ priority = "none", state = H.EN_COURS, sequence_id = 5 })
    local i7 = H.issue({ priority = "medium", state = H.EN_COURS, sequence_id = 6 })
    -- no sequence_id (H.issue gives one: a nil in its fields would not remove it)
    local a = H.issue({ id = "bbb", priority = "medium", state = H.A_FAIRE })
    local b = H.issue({ id = "aaa", priority = "medium", state = H.A_FAIRE })
    a.sequence_id, b.sequence_id = nil, nil
    local rows = T.transform({ i1, i2, i3, i4, i5, i6, i7, a, b }, H.ctx())
    assert.same({ i4.id, i3.id, i2.id, i5.id, i7.id, "aaa", "bbb", i1.id, i6.id }, ids(rows))
    for n, r in ipairs(rows) do assert.equal(n, r.rank) end
  end)

  it("orders states by the rank the host gave them, whatever their names", function()
    local doing = { id = "s-doing", name = "Doing", group = "started" }
    local todo = { id = "s-todo", name = "To do", group = "unstarted" }
    local a = H.issue({ state = todo, state_rank = 2, sequence_id = 1 })
    local b = H.issue({ state = doing, state_rank = 1, sequence_id = 2 })
    assert.same({ b.id, a.id }, ids((T.transform({ a, b }, H.ctx()))))
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
      assignees = {}, target_date = nil, due_in = nil, changes = {},
    }, row)
  end)

  it("passes the assignees' names on, in Plane's order", function()
    local i = H.issue({ assignee_names = { "Zoé", "Ahmed" } })
    assert.same({ "Zoé", "Ahmed" }, T.transform({ i }, H.ctx())[1].assignees)
  end)

  it("counts the days to the due date from ctx.date, not from a clock", function()
    local cases = {
      { "2026-11-26", 0 }, { "2026-11-27", 1 }, { "2026-12-03", 7 }, { "2026-11-23", -3 },
      { "2027-01-01", 36 }, { "2026-11-26T00:00:00Z", 0 },
    }
    for _, c in ipairs(cases) do
      local row = T.transform({ H.issue({ target_date = c[1] }) }, H.ctx())[1]
      assert.equal(c[2], row.due_in, c[1])
      assert.equal(c[1]:sub(1, 10), row.target_date)
    end
    -- the date line is the digest's local date: across a DST change a day is still a day
    local row = T.transform({ H.issue({ target_date = "2026-03-28" }) }, H.ctx({ date = "2026-03-29" }))[1]
    assert.equal(-1, row.due_in)
    row = T.transform({ H.issue({ target_date = "2026-10-26" }) }, H.ctx({ date = "2026-10-25" }))[1]
    assert.equal(1, row.due_in)
  end)

  it("has no due date for a null, missing or malformed target_date", function()
    for _, v in ipairs({ cjson.null, false, "", "soon", "2026-13-01", 20261126 }) do
      local row = T.transform({ H.issue({ target_date = v }) }, H.ctx())[1]
      assert.is_nil(row.due_in, tostring(v))
      assert.is_nil(row.target_date, tostring(v))
    end
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

  it("tolerates a JSON null name and no sequence_id", function()
    local i = H.issue({ name = cjson.null })
    i.sequence_id = nil
    local rows = T.transform({ i }, H.ctx())
    assert.equal("(untitled)", rows[1].name)
    assert.is_nil(rows[1].key)
    assert.matches("/projects/p1/issues/", rows[1].url, 1, true)
  end)

  it("is pure: the input issues are not changed", function()
    local i = H.issue()
    local before = cjson.encode(i)
    T.transform({ i }, H.ctx())
    assert.equal(before, cjson.encode(i))
  end)
end)
