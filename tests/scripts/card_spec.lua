local cjson = require("cjson")
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

local function texts(node)
  local out = {}
  H.walk(node, function(t) if t.type == "TextBlock" then out[#out + 1] = t.text end end)
  return table.concat(out, "\n")
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
    assert.equal("🎯 Top priority issues", head.items[1].text)
    assert.is_true(head.items[2].isSubtle)
    assert.equal("2026-11-26 · Site web", head.items[2].text)
  end)

  it("has one clickable ColumnSet per row: rank, priority, name with state and key", function()
    local rows = rows_of(3)
    local sets = column_sets(C.card(rows, H.ctx({ total = 3 })))
    assert.equal(3, #sets)
    for n, set in ipairs(sets) do
      assert.same({ type = "Action.OpenUrl", url = rows[n].url }, set.selectAction)
      assert.equal("#" .. n, set.columns[1].items[1].text)
      local detail = set.columns[3].items[2].text
      assert.matches("**En cours**", detail, 1, true)
      assert.matches("[" .. rows[n].key .. "](" .. rows[n].url .. ")", detail, 1, true)
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
      assert.equal(w[1], label.text)
      assert.equal(w[2], label.color)
    end
  end)

  it("marks new rows with 🆕", function()
    local rows = rows_of(2)
    rows[2].is_new = true
    local sets = column_sets(C.card(rows, H.ctx({ total = 2 })))
    assert.is_nil(sets[1].columns[3].items[1].text:find("🆕", 1, true))
    assert.truthy(sets[2].columns[3].items[1].text:find("🆕", 1, true))
  end)

  it("adds '+ N more' when more issues matched than are shown", function()
    local card = C.card(rows_of(10), H.ctx({ total = 14 }))
    assert.equal("+ 4 more", card.body[#card.body].text)
    local exact = C.card(rows_of(10), H.ctx({ total = 10 }))
    assert.is_nil(texts(exact):find("more", 1, true))
  end)

  it("says so when nothing is open, and the body stays a list", function()
    local card = C.card({}, H.ctx({ total = 0 }))
    assert.equal(0, #column_sets(card))
    assert.matches("Nothing open", texts(card), 1, true)
    assert.equal("[", cjson.encode(card):match('"body":(.)'))
  end)

  it("uses only Adaptive Card 1.2 properties (no style, no Action.Submit)", function()
    local card = C.card(rows_of(12, { name = "Été 🎯" }), H.ctx({ total = 20 }))
    H.walk(card, function(t, path)
      assert.is_nil(t.style, path .. " has style")
      assert.is_not.equal("Action.Submit", t.type, path)
      if t.color then
        assert.truthy(({ default = 1, dark = 1, light = 1, accent = 1, good = 1, warning = 1,
          attention = 1 })[t.color], path .. " colour " .. t.color)
      end
    end)
  end)
end)
