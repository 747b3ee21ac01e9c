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

describe("transform: changes since the previous card", function()
  local a, b, c = H.issue({ priority = "urgent" }), H.issue({ priority = "high" }), H.issue({ priority = "low" })

  it("says which lower priority a row had, and the rank it moved up from", function()
    local ctx = H.ctx({ previous = { a.id, b.id, c.id }, previous_rows = {
      [a.id] = { rank = 2, priority = "high" },   -- raised, moved up
      [b.id] = { rank = 1, priority = "high" },   -- same priority, moved down
      [c.id] = { rank = 3, priority = "medium" }, -- lowered: nothing
    } })
    local rows = T.transform({ a, b, c }, ctx)
    assert.same({ priority_from = "high", rank_from = 2 }, rows[1].changes)
    assert.same({}, rows[2].changes)
    assert.same({}, rows[3].changes)
  end)

  it("has no changes for a row that was not on the previous card, nor before any card", function()
    local rows = T.transform({ a, b }, H.ctx({ previous = { b.id }, previous_rows = { [b.id] = { rank = 1,
      priority = "none" } } }))
    assert.same({}, rows[1].changes)
    assert.is_true(rows[1].is_new)
    assert.same({ priority_from = "none" }, rows[2].changes)
    for _, row in ipairs(T.transform({ a, b }, H.ctx())) do assert.same({}, row.changes) end
  end)

  it("ignores a previous row it cannot read", function()
    local rows = T.transform({ a }, H.ctx({ previous_rows = { [a.id] = { priority = "huge", rank = "1" } } }))
    assert.same({}, rows[1].changes)
  end)
end)

describe("transform: stale rows (options.stale_days, business days)", function()
  -- 2026-12-07 is a Monday; 2026-12-08 is made a holiday below.
  local function stale(updated_at, n, extra)
    local ctx = H.ctx({ date = "2026-12-10", now = "2026-12-10T08:00:00+01:00", options = { stale_days = n },
      holidays = { "2026-12-08" } })
    for k, v in pairs(extra or {}) do ctx[k] = v end
    return T.transform({ H.issue({ updated_at = updated_at }) }, ctx)[1].stale_days
  end

  it("is off by default", function()
    local i = H.issue({ updated_at = "2020-01-01T00:00:00Z" })
    assert.is_nil(T.transform({ i }, H.ctx())[1].stale_days)
    assert.is_nil(T.transform({ i }, H.ctx({ options = {} }))[1].stale_days)
    assert.is_nil(T.transform({ i }, H.ctx({ options = { stale_days = 0 } }))[1].stale_days)
    assert.is_nil(T.transform({ i }, H.ctx({ options = { stale_days = "0" } }))[1].stale_days)
  end)

  it("counts business days to the digest's date: no Saturday, Sunday or holiday", function()
    -- Thursday 10th: after Fri 4th come Mon 7, (Tue 8 holiday), Wed 9, Thu 10 = 3
    assert.equal(3, stale("2026-12-04T10:00:00Z", 2))
    assert.is_nil(stale("2026-12-04T10:00:00Z", 3)) -- more than N, not N
    -- Thursday 3rd: Fri 4, Mon 7, Wed 9, Thu 10 = 4 (the weekend and the holiday skipped)
    assert.equal(4, stale("2026-12-03T10:00:00Z", 3))
    -- without the holiday, Tue 8 counts
    assert.equal(5, stale("2026-12-03T10:00:00Z", 3, { holidays = {} }))
    -- updated on the Saturday: Mon 7, Wed 9, Thu 10
    assert.equal(3, stale("2026-12-05T10:00:00Z", 1))
    assert.is_nil(stale("2026-12-10T07:00:00Z", 1)) -- today
    assert.is_nil(stale(cjson.null, 1))
    assert.is_nil(stale("yesterday", 1))
  end)

  it("takes the day of updated_at in the digest's time zone (23:30 UTC is the next day in Paris)", function()
    -- 2026-12-04 23:30 UTC is Saturday 5th 00:30 in Paris: Mon 7, Wed 9, Thu 10 = 3
    assert.equal(3, stale("2026-12-04T23:30:00Z", 2))
    assert.equal(3, stale("2026-12-04T23:30:00+00:00", 2))
    -- in UTC it stays Friday 4th: Mon 7, Wed 9, Thu 10 = 3 too, but Thursday 3rd 23:30 UTC
    -- is Friday in Paris (3) and Thursday in UTC (4)
    assert.equal(3, stale("2026-12-03T23:30:00Z", 2))
    assert.equal(4, stale("2026-12-03T23:30:00Z", 2, { now = "2026-12-10T08:00:00Z" }))
  end)

  it("refuses a stale_days that is not a whole number (0 is off)", function()
    for _, v in ipairs({ -1, 1.5, "three", "-1", "2.5", true }) do
      assert.has_error(function() stale("2026-12-04T10:00:00Z", v) end)
    end
    assert.equal(3, stale("2026-12-04T10:00:00Z", 2.0))
    assert.equal(3, stale("2026-12-04T10:00:00Z", "2")) -- as env CARD_STALE_DAYS gives it
    assert.is_nil(stale("2026-12-04T10:00:00Z", ""))
  end)
end)
