-- The card a team acts on: what changed since the previous card, stale rows, mentions
-- and the buttons into Plane (transform.lua puts the facts on the rows, card.lua shows them).
local cjson = require("cjson")
local K = require("cardcheck")
local C = require("card")
local T = require("transform")
local H = require("helpers")

local function read_json(path)
  local f = assert(io.open(path, "rb"))
  local v = cjson.decode(f:read("a"))
  f:close()
  return v
end

local function column_sets(card)
  local out = {}
  for _, el in ipairs(card.body) do
    if el.type == "ColumnSet" then out[#out + 1] = el end
  end
  return out
end

local function runs(block)
  local out = {}
  for _, r in ipairs(block.inlines or {}) do out[#out + 1] = r.text end
  return table.concat(out)
end

local function all_text(card)
  local out = {}
  H.walk(card, function(t) if type(t.text) == "string" then out[#out + 1] = t.text end end)
  return table.concat(out, "\n")
end

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

  it("refuses a stale_days that is not a whole number of at least 1", function()
    for _, v in ipairs({ 0, -1, 1.5, "three", "0", "2.5", true }) do
      assert.has_error(function() stale("2026-12-04T10:00:00Z", v) end)
    end
    assert.equal(3, stale("2026-12-04T10:00:00Z", 2.0))
    assert.equal(3, stale("2026-12-04T10:00:00Z", "2")) -- as env CARD_STALE_DAYS gives it
    assert.is_nil(stale("2026-12-04T10:00:00Z", ""))
  end)
end)

describe("card: changes and stale rows", function()
  local function one(fields, ctx)
    local rows = T.transform({ H.issue(fields) }, H.ctx(ctx))
    local c = H.ctx(ctx)
    c.total = #rows
    return C.card(rows, c)
  end

  it("shows ⬆ and the old priority under the priority, in the card's language", function()
    local i = H.issue({ priority = "urgent" })
    for lang, want in pairs({ en = "⬆ was HIGH", fr = "⬆ était HAUTE" }) do
      local ctx = H.ctx({ language = lang, previous = { i.id }, previous_rows = { [i.id] = { rank = 1, priority = "high" } } })
      local card = C.card(T.transform({ i }, ctx), ctx)
      local col = column_sets(card)[1].columns[2].items
      assert.equal(want, runs(col[2]))
      assert.is_nil(K.check(card))
    end
    local card = one({ priority = "urgent" })
    assert.equal(1, #column_sets(card)[1].columns[2].items)
    assert.is_nil(all_text(card):find("⬆", 1, true))
  end)

  it("says how long a stale row has been quiet, in working days", function()
    local ctx = { date = "2026-12-10", options = { stale_days = 2 } }
    local text = all_text(one({ updated_at = "2026-12-02T09:00:00Z" }, ctx))
    assert.matches("no activity for 6 working days", text, 1, true)
    ctx.language = "fr"
    assert.matches("aucune activité depuis 6 jours ouvrés", all_text(one({ updated_at = "2026-12-02T09:00:00Z" }, ctx)),
      1, true)
    assert.matches("no activity for 1 working day", C.LANGUAGES.en.stale.one, 1, true)
    assert.is_nil(all_text(one({ updated_at = "2026-12-09T09:00:00Z" }, { date = "2026-12-10",
      options = { stale_days = 2 } })):find("no activity", 1, true))
  end)
end)

describe("card: mentions", function()
  local hostile = read_json("../data/hostile-names.json")

  local function card_with(names, ids, mentions)
    local i = H.issue({ assignee_names = names, assignee_mentions = ids })
    local ctx = H.ctx({ mentions = mentions ~= false })
    local rows = T.transform({ i }, ctx)
    ctx.total = 1
    return C.card(rows, ctx)
  end

  it("mentions the assignees with a Teams id in a TextBlock; the others stay plain text", function()
    local card = card_with({ "Zoé Martin", "Ahmed" }, { "zoe@example.com", false })
    local items = column_sets(card)[1].columns[3].items
    assert.equal(3, #items)
    assert.equal("TextBlock", items[3].type)
    assert.equal("<at>Zoé Martin</at>, Ahmed", items[3].text)
    assert.is_nil(runs(items[2]):find("Ahmed", 1, true)) -- not twice
    assert.same({ { type = "mention", text = "<at>Zoé Martin</at>",
      mentioned = { id = "zoe@example.com", name = "Zoé Martin" } } }, card.msteams.entities)
    assert.is_nil(K.check(card))
  end)

  it("mentions nobody when mentions are off or nobody has an id", function()
    for _, card in ipairs({ card_with({ "Zoé" }, { "zoe@example.com" }, false), card_with({ "Zoé" }, { false }),
      card_with({ "Zoé" }, nil) }) do
      assert.is_nil(card.msteams.entities)
      H.walk(card, function(t, path) assert.is_not.equal("TextBlock", t.type, path) end)
      assert.matches("Zoé", runs(column_sets(card)[1].columns[3].items[2]), 1, true)
    end
  end)

  it("escapes hostile names the same way in the TextBlock and in the entity", function()
    local names, ids = {}, {}
    for i, n in ipairs(hostile.names) do names[i], ids[i] = n, "u" .. i .. "@example.com" end
    for _, n in ipairs(hostile.assignees) do
      names[#names + 1], ids[#ids + 1] = n, false
    end
    local card = card_with(names, ids)
    assert.is_nil(K.check(card))
    local block = column_sets(card)[1].columns[3].items[3].text
    assert.equal(#hostile.names, #card.msteams.entities)
    for i, e in ipairs(card.msteams.entities) do
      assert.equal(hostile.names[i], e.mentioned.name)
      assert.truthy(block:find(e.text, 1, true), e.text)
      -- one <at>…</at> each: a name's own "<at>" or "</at>" is escaped
      local inner = e.text:sub(5, -6)
      assert.is_nil(inner:find("<at>", 1, true))
      assert.is_nil(inner:find("</at>", 1, true))
      -- no markdown left unescaped, no line break
      assert.is_nil(inner:find("[^\\][*_%[%]`~<>]"), inner)
      assert.is_nil(inner:find("\n", 1, true))
    end
    -- the plain names too: no line starts a list or a heading
    assert.is_nil(block:find("\n", 1, true))
  end)

  it("escapes markdown in TextBlock text, and list or heading marks at the start", function()
    assert.equal("\\*\\*Zoé\\*\\*", C.escape_md("**Zoé**"))
    assert.equal("\\_Ana\\_ \\[x\\](y)", C.escape_md("_Ana_ [x](y)"))
    assert.equal("\\<at\\>Bob\\</at\\>", C.escape_md("<at>Bob</at>"))
    assert.equal("\\- item", C.escape_md("- item", true))
    assert.equal("- item", C.escape_md("- item", false))
    assert.equal("1\\. Step", C.escape_md("1. Step", true))
    assert.equal("\\# x", C.escape_md("# x", true))
    assert.equal("a b", C.escape_md("a\nb"))
    assert.equal("Jean-Luc O'Neil", C.escape_md("Jean-Luc O'Neil", true))
  end)
end)

describe("card: a way into Plane", function()
  local P2, P3, P4 = "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333",
    "44444444-4444-4444-8444-444444444444"
  local function projects(n)
    local out = { p1 = { id = "p1", identifier = "WEB", name = "Site web", states = {} } }
    for i, pid in ipairs({ P2, P3, P4 }) do
      if i < n then out[pid] = { id = pid, identifier = "P" .. i, name = "Project " .. i, states = {} } end
    end
    return out
  end

  it("has a button per project to its issues, in the card's language", function()
    local card = C.card({}, H.ctx({ total = 0, projects = projects(2) }))
    assert.same({
      { type = "Action.OpenUrl", title = "Open P1 in Plane",
        url = "https://app.plane.so/acme/projects/" .. P2 .. "/issues/" },
      { type = "Action.OpenUrl", title = "Open WEB in Plane", url = "https://app.plane.so/acme/projects/p1/issues/" },
    }, card.actions)
    assert.is_nil(K.check(card))
    card = C.card({}, H.ctx({ total = 0, language = "fr" }))
    assert.equal("Ouvrir WEB dans Plane", card.actions[1].title)
  end)

  it("has up to 3 buttons, then none", function()
    assert.equal(3, #C.card({}, H.ctx({ total = 0, projects = projects(3) })).actions)
    assert.is_nil(C.card({}, H.ctx({ total = 0, projects = projects(4) })).actions)
  end)

  it("goes to the current cycle when the scripts asked for cycles and there is one", function()
    local p = projects(2)
    p.p1.current_cycle = { id = "c0ffee00-0000-4000-8000-000000000001", name = "Sprint 12" }
    local card = C.card({}, H.ctx({ total = 0, projects = p }))
    assert.equal("https://app.plane.so/acme/projects/p1/cycles/c0ffee00-0000-4000-8000-000000000001",
      card.actions[2].url)
    assert.equal("https://app.plane.so/acme/projects/" .. P2 .. "/issues/", card.actions[1].url)
  end)
end)

describe("host: each assignee's Teams id (mentions)", function()
  local pages = require("pages")
  local states = require("states")
  local saved = require("saved")

  local function batch()
    local b = pages.new()
    pages.add_states_page(b, "p1", cjson.encode({ results = { H.EN_COURS }, next_page_results = false,
      next_cursor = "", count = 1 }), "GET s")
    pages.set_members(b, "p1", cjson.encode({
      { id = "u1", display_name = "zoe", email = "zoe@acme.example" },
      { id = "u2", display_name = "Karim B.", email = "karim@acme.example" },
      { id = "u3", display_name = "léa", email = cjson.null },
      { id = "u4", display_name = "Yuki", email = "not an address" },
    }), "GET m")
    pages.add_issues_page(b, "p1", cjson.encode({ results = { { id = "a", state = H.EN_COURS,
      assignees = { "u1", "u2", "u3", "u4", "nobody" } } }, next_page_results = false, next_cursor = "", count = 1 }),
      "GET x")
    return b
  end

  it("takes mention_ids by user id, then by display name, then the member's e-mail", function()
    local ids = states.mention_map({ mentions = true, mention_ids = {
      { who = "u2", id = "k.benali@contoso.example" }, { who = "léa", id = "lea@contoso.example" } } })
    local kept = states.prepare(batch(), H.configured(), ids)
    assert.same({ "zoe", "Karim B.", "léa", "Yuki" }, kept[1].assignee_names)
    assert.same({ "zoe@acme.example", "k.benali@contoso.example", "lea@contoso.example", false },
      kept[1].assignee_mentions)
  end)

  it("gives no ids at all when mentions are off", function()
    assert.is_nil(states.mention_map({ mentions = false, mention_ids = { { who = "u1", id = "x@y" } } }))
    local kept = states.prepare(batch(), H.configured(), nil)
    assert.is_nil(kept[1].assignee_mentions)
  end)

  it("keeps the e-mail addresses out of a saved sync", function()
    local text = saved.save(batch())
    assert.is_nil(text:find("acme.example", 1, true))
    assert.is_nil(text:find("email", 1, true))
  end)

  it("reads a previous card from a saved sync, for preview", function()
    local b = pages.new()
    local file = cjson.encode({ format = saved.SAVED_FORMAT, projects = {}, issues = {},
      previous = { { id = "a", rank = 2, priority = "medium" }, { id = "b" } } })
    saved.add_issues_file(b, file, "sync.json")
    assert.same({ ids = { "a", "b" }, rows = { { id = "a", rank = 2, priority = "medium" }, { id = "b", rank = 2 } } },
      b.previous)
    assert.matches("sync.json: previous[1] is not an object with a string id", select(2, pcall(saved.add_issues_file,
      pages.new(), cjson.encode({ format = saved.SAVED_FORMAT, projects = {}, issues = {}, previous = { 3 } }),
      "sync.json")), 1, true)
  end)
end)

describe("render: mentions and buttons within the size budget", function()
  local pages = require("pages")
  local render = require("render")

  it("drops rows (and their mentions) from the end, keeping the buttons", function()
    local b = pages.new()
    local function page(results)
      return cjson.encode({ results = results, next_page_results = false, next_cursor = "", count = #results })
    end
    pages.add_states_page(b, "p1", page({ H.EN_COURS }), "GET s")
    local members, issues = {}, {}
    for i = 1, 5 do
      members[i] = { id = "u" .. i, display_name = string.rep("Person" .. i .. " ", 6), email = "u" .. i .. "@acme.example" }
    end
    pages.set_members(b, "p1", cjson.encode(members), "GET m")
    for i = 1, 30 do
      issues[i] = { id = string.format("00000000-0000-4000-8000-%012d", i), name = string.rep("long ", 40),
        sequence_id = i, priority = "high", state = H.EN_COURS.id, assignees = { "u1", "u2", "u3", "u4", "u5" } }
    end
    pages.add_issues_page(b, "p1", page(issues), "GET x")
    local scripts = { transform = T.transform, card = C.card, dir = "scripts" }
    local ctx = { digest = "main", app_url = "https://app.plane.so", workspace = "acme",
      now = "2026-11-26T08:00:00+01:00", date = "2026-11-26", limit = 30, empty = "post", language = "en",
      states = { { group = "started" } }, mentions = true, mention_ids = {}, holidays = {} }
    local out = render.render(scripts, b, ctx, 8000, false)
    assert.is_true(#out.envelope <= 8000)
    assert.is_true(#out.ids < 30 and #out.ids > 0)
    local card = cjson.decode(out.envelope).attachments[1].content
    assert.is_nil(K.check(card))
    assert.equal(5 * #out.ids, #card.msteams.entities) -- the mentions of the rows shown, no more
    assert.equal(1, #card.actions)
    assert.matches(string.format("+ %d more", 30 - #out.ids), all_text(card), 1, true)
  end)
end)
