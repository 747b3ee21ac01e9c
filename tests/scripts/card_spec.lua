local cjson = require("cjson")
local K = require("cardcheck")
local C = require("card")
local T = require("transform")
local H = require("helpers")

local function rows_of(n, fields)
  local issues = {}
  for i = 1, n do issues[i] = H.issue(fields) end
  return (T.transform(issues, H.ctx({ limit = 500 })))
end

local function column_sets(card)
  local out = {}
  for _, el in ipairs(card.body) do
    if el.type == "ColumnSet" then out[#out + 1] = el end
  end
  return out
end

-- The words of a node as Teams would read them: TextBlocks and TextRuns, in order.
local function texts(node)
  local out = {}
  local function visit(t)
    if type(t) ~= "table" then return end
    if t.type == "TextBlock" or t.type == "TextRun" then out[#out + 1] = t.text end
    for _, k in ipairs({ "items", "columns", "inlines" }) do
      for _, c in ipairs(t[k] or {}) do visit(c) end
    end
    for _, c in ipairs(t.body or {}) do visit(c) end
  end
  visit(node)
  return table.concat(out, "\n")
end

-- The text of a RichTextBlock, run after run.
local function runs(block)
  assert.equal("RichTextBlock", block.type)
  local out = {}
  for _, r in ipairs(block.inlines) do
    assert.equal("TextRun", r.type)
    out[#out + 1] = r.text
  end
  return table.concat(out)
end

-- The text of a TextBlock or a RichTextBlock.
local function plain(block)
  if block.type == "TextBlock" then return block.text end
  return runs(block)
end

local function read_json(path)
  local f = assert(io.open(path, "rb"))
  local v = cjson.decode(f:read("a"))
  f:close()
  return v
end

describe("card", function()
  it("is an Adaptive Card 1.2 at full width", function()
    local card = C.card(rows_of(1), H.ctx({ total = 1 }))
    assert.equal("AdaptiveCard", card.type)
    assert.equal("1.2", card.version)
    assert.same({ width = "Full" }, card.msteams)
  end)

  it("has a title and a subtle line with the date and the project names", function()
    local card = C.card(rows_of(1), H.ctx({ total = 1 }))
    local head = card.body[1]
    assert.equal("Container", head.type)
    assert.equal("🎯 Top priority issues", plain(head.items[1]))
    assert.is_true(head.items[2].inlines[1].isSubtle)
    assert.equal("Thursday, November 26, 2026 · Site web", runs(head.items[2]))
  end)

  it("has one clickable ColumnSet per row: rank, priority, name with state and key", function()
    local rows = rows_of(3)
    local sets = column_sets(C.card(rows, H.ctx({ total = 3 })))
    assert.equal(3, #sets)
    for n, set in ipairs(sets) do
      assert.same({ type = "Action.OpenUrl", url = rows[n].url }, set.selectAction)
      assert.equal("#" .. n, plain(set.columns[1].items[1]))
      assert.equal(rows[n].name, runs(set.columns[3].items[1]))
      local detail = set.columns[3].items[2].inlines
      assert.same({ type = "TextRun", text = "En cours", weight = "Bolder", isSubtle = true }, detail[1])
      assert.same({ type = "TextRun", text = rows[n].key, isSubtle = true,
        selectAction = { type = "Action.OpenUrl", url = rows[n].url } }, detail[3])
    end
  end)

  it("colour-codes priorities with an emoji and the nearest Teams colour", function()
    local want = {
      urgent = { "🔴 URGENT", "attention" }, high = { "🟠 HIGH", "warning" },
      medium = { "🟢 MEDIUM", "good" }, low = { "🔵 LOW", "accent" },
    }
    for prio, w in pairs(want) do
      local set = column_sets(C.card(rows_of(1, { priority = prio }), H.ctx({ total = 1 })))[1]
      local label = set.columns[2].items[1]
      assert.equal(w[1], plain(label))
      assert.equal(w[2], label.inlines[1].color)
    end
  end)

  it("marks new rows with 🆕", function()
    local rows = rows_of(2)
    rows[2].is_new = true
    local sets = column_sets(C.card(rows, H.ctx({ total = 2 })))
    assert.is_nil(runs(sets[1].columns[3].items[1]):find("🆕", 1, true))
    assert.truthy(runs(sets[2].columns[3].items[1]):find("🆕", 1, true))
  end)

  it("adds '+ N more' when more issues matched than are shown", function()
    local card = C.card(rows_of(10), H.ctx({ total = 14 }))
    assert.equal("+ 4 more", plain(card.body[#card.body]))
    local exact = C.card(rows_of(10), H.ctx({ total = 10 }))
    assert.is_nil(texts(exact):find("more", 1, true))
  end)

  it("says so when nothing is open, and the body stays a list", function()
    local card = C.card({}, H.ctx({ total = 0 }))
    assert.equal(0, #column_sets(card))
    assert.matches("Nothing open", texts(card), 1, true)
    assert.equal("[", cjson.encode(card):match('"body":(.)'))
  end)

  it("uses only Adaptive Card 1.2 elements and properties (the host's checker), no Action.Submit", function()
    local card = C.card(rows_of(12, { name = "Été 🎯" }), H.ctx({ total = 20 }))
    assert.is_nil(K.check(cjson.decode(cjson.encode(card))))
    H.walk(card, function(t, path)
      -- valid 1.2, but a webhook's card has nowhere to submit to
      assert.is_not.equal("Action.Submit", t.type, path)
    end)
  end)

  it("passes the host's checker for 0, 1, 10, 11 and 200 rows", function()
    for _, n in ipairs({ 0, 1, 10, 11, 200 }) do
      local issues = {}
      for i = 1, n do
        issues[i] = H.issue({ priority = ({ "urgent", "high", "medium", "low", "none" })[i % 5 + 1],
          name = i % 2 == 0 and "Été — 監視 🎯" or string.rep("long ", 60) })
      end
      local rows = T.transform(issues, H.ctx({ limit = 500 }))
      assert.is_nil(K.check(cjson.decode(cjson.encode(C.card(rows, H.ctx({ total = n + 3 }))))), n .. " rows")
    end
  end)

  it("gives the rank and priority columns fixed pixel widths, so every row lines up", function()
    for _, set in ipairs(column_sets(C.card(rows_of(3), H.ctx({ total = 3 })))) do
      assert.matches("^%d+px$", set.columns[1].width)
      assert.matches("^%d+px$", set.columns[2].width)
      assert.equal(C.RANK_WIDTH, set.columns[1].width)
      assert.equal(C.PRIORITY_WIDTH, set.columns[2].width)
      assert.equal("stretch", set.columns[3].width)
    end
  end)
end)

describe("card: text from Plane is shown exactly as written", function()
  local hostile = read_json("../data/hostile-names.json")

  it("puts every name in a TextRun (never read as markdown), never in a TextBlock", function()
    local issues = {}
    for i, name in ipairs(hostile.names) do
      issues[i] = H.issue({ name = name, state = { id = H.EN_COURS.id, name = hostile.state, group = "started" },
        assignee_names = hostile.assignees })
    end
    local ctx = H.ctx({ limit = 500, projects = { p1 = { id = "p1", identifier = "WEB", name = hostile.project,
      states = { H.EN_COURS } } } })
    local rows = T.transform(issues, ctx)
    ctx.total = #rows
    local card = C.card(rows, ctx)
    local by_name = {}
    for _, set in ipairs(column_sets(card)) do
      local name = runs(set.columns[3].items[1])
      by_name[name] = true
      local detail = set.columns[3].items[2].inlines
      assert.equal(hostile.state, detail[1].text)
      assert.equal("Bolder", detail[1].weight)
      assert.equal("Action.OpenUrl", detail[3].selectAction.type)
      assert.equal(table.concat(hostile.assignees, ", "), detail[5].text)
    end
    for _, name in ipairs(hostile.names) do assert.is_true(by_name[name], name) end
    assert.matches(hostile.project, runs(card.body[1].items[2]), 1, true)
    H.walk(card, function(t, path)
      assert.is_not.equal("TextBlock", t.type, path) -- nothing on the card is read as markdown
      -- only a TextRun is read literally: no other text on the card holds a hostile name
      if t.type == "TextRun" or type(t.text) ~= "string" then return end
      for _, name in ipairs(hostile.names) do assert.is_nil(t.text:find(name, 1, true), path) end
      assert.is_nil(t.text:find(hostile.project, 1, true), path)
      assert.is_nil(t.text:find(hostile.state, 1, true), path)
    end)
  end)

  it("offers the same to other layouts: C.literal and C.run", function()
    for _, name in ipairs(hostile.names) do
      local b = C.literal(name, { weight = "Bolder" }, { spacing = "None" })
      assert.same({ type = "RichTextBlock", spacing = "None",
        inlines = { { type = "TextRun", text = name, weight = "Bolder" } } }, b)
    end
  end)
end)

describe("card: languages", function()
  it("has every word of each language, and the same keys in each", function()
    local keys = {}
    for k in pairs(C.LANGUAGES.en) do keys[#keys + 1] = k end
    for lang, w in pairs(C.LANGUAGES) do
      for _, k in ipairs(keys) do assert.is_not_nil(w[k], lang .. "." .. k) end
      assert.equal(7, #w.weekdays, lang)
      assert.equal(12, #w.months, lang)
      for _, p in ipairs({ "urgent", "high", "medium", "low", "none" }) do assert.is_string(w.priority[p]) end
    end
  end)

  it("writes the date line in the card's language, from ctx.date alone", function()
    local cases = {
      { "en", "2026-11-28", "Saturday, November 28, 2026" },
      { "fr", "2026-11-28", "samedi 28 novembre 2026" },
      { "fr", "2026-03-01", "dimanche 1er mars 2026" },
      { "fr", "2024-02-29", "jeudi 29 février 2024" },
      { "en", "2000-01-01", "Saturday, January 1, 2000" },
      { "fr", "2026-08-15", "samedi 15 août 2026" },
    }
    for _, c in ipairs(cases) do
      assert.equal(c[3], C.date_line(c[2], C.LANGUAGES[c[1]]))
    end
  end)

  it("shows French words on a French card", function()
    local rows = rows_of(3, { priority = "high", target_date = "2026-11-24" })
    local card = C.card(rows, H.ctx({ total = 5, language = "fr" }))
    local all = texts(card)
    assert.matches("🎯 Tickets prioritaires", all, 1, true)
    assert.matches("jeudi 26 novembre 2026", all, 1, true)
    assert.matches("🟠 HAUTE", all, 1, true)
    assert.matches("en retard de 2 jours", all, 1, true)
    assert.matches("+ 2 autres", all, 1, true)
    assert.matches("Rien d'ouvert", texts(C.card({}, H.ctx({ total = 0, language = "fr" }))), 1, true)
  end)
end)

describe("card: who and when", function()
  local function detail_of(fields, ctx)
    local rows = rows_of(1, fields)
    local set = column_sets(C.card(rows, H.ctx(ctx or { total = 1 })))[1]
    return set.columns[3].items[2].inlines
  end

  it("shows the assignees' names after the key, and nothing without assignees", function()
    local d = detail_of({ assignee_names = { "Zoé Martin", "Ahmed" } })
    assert.equal("Zoé Martin, Ahmed", d[5].text)
    assert.is_true(d[5].isSubtle)
    assert.equal(3, #detail_of({ assignee_names = {} }))
    assert.equal(3, #detail_of({}))
  end)

  it("says how late or how soon, up to a week ahead", function()
    local cases = {
      { "2026-11-23", "overdue 3 days", "attention" }, { "2026-11-25", "overdue 1 day", "attention" },
      { "2026-11-26", "due today", "warning" }, { "2026-11-27", "due tomorrow" },
      { "2026-11-28", "due in 2 days" }, { "2026-12-03", "due in 7 days" },
    }
    for _, c in ipairs(cases) do
      local d = detail_of({ target_date = c[1] })
      assert.equal(c[2], d[#d].text, c[1])
      assert.equal(c[3], d[#d].color, c[1])
    end
    for _, v in ipairs({ "2026-12-04", "2027-06-01", cjson.null }) do
      assert.equal(3, #detail_of({ target_date = v }), tostring(v))
    end
  end)
end)

-- Every text of a card (TextBlocks, TextRuns, titles), for looking a phrase up.
local function words_of(card)
  local out = {}
  H.walk(card, function(t) if type(t.text) == "string" then out[#out + 1] = t.text end end)
  return table.concat(out, "\n")
end

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
    assert.is_nil(words_of(card):find("⬆", 1, true))
  end)

  it("says how long a stale row has been quiet, in working days", function()
    local ctx = { date = "2026-12-10", options = { stale_days = 2 } }
    local text = words_of(one({ updated_at = "2026-12-02T09:00:00Z" }, ctx))
    assert.matches("no activity for 6 working days", text, 1, true)
    ctx.language = "fr"
    assert.matches("aucune activité depuis 6 jours ouvrés", words_of(one({ updated_at = "2026-12-02T09:00:00Z" }, ctx)),
      1, true)
    assert.matches("no activity for 1 working day", C.LANGUAGES.en.stale.one, 1, true)
    assert.is_nil(words_of(one({ updated_at = "2026-12-09T09:00:00Z" }, { date = "2026-12-10",
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
    assert.matches(string.format("+ %d more", 30 - #out.ids), words_of(card), 1, true)
  end)
end)
