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
