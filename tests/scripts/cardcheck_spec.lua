-- host/cardcheck.lua: the host refuses cards Teams would accept with 202 and then drop.
local K = require("cardcheck")
local C = require("card")
local T = require("transform")
local H = require("helpers")

local function default_card(n, total)
  local issues = {}
  for i = 1, n do
    issues[i] = H.issue({ priority = ({ "urgent", "high", "medium", "low", "none" })[i % 5 + 1],
      name = i % 2 == 0 and "Été — 監視 🎯" or string.rep("long ", 60) })
  end
  local rows = T.transform(issues, H.ctx({ limit = 500 }))
  return C.card(rows, H.ctx({ total = total or #rows }))
end

describe("cardcheck", function()
  it("accepts the default card for 0, 1, 10, 11 and 200 rows", function()
    for _, n in ipairs({ 0, 1, 10, 11, 200 }) do
      assert.is_nil(K.check(default_card(n, n + 3)), n .. " rows")
    end
  end)

  it("names a misspelt property and where it is", function()
    local card = default_card(2)
    card.body[2].columns[1].items[1].inlines[1].weigth = "Bolder"
    assert.equal('card.body[2].columns[1].items[1].inlines[1]: TextRun has no property "weigth" in Adaptive Card 1.2',
      K.check(card))
  end)

  it("refuses style on a TextBlock (Adaptive Card 1.5)", function()
    local card = default_card(1)
    card.body[1].items[1] = { type = "TextBlock", text = "Title", style = "heading" }
    assert.matches('TextBlock has no property "style"', K.check(card), 1, true)
  end)

  it("refuses Action.Submit", function()
    local card = default_card(1)
    card.body[2].selectAction = { type = "Action.Submit" }
    assert.equal("card.body[2].selectAction: Action.Submit does not work in Teams webhook cards", K.check(card))
  end)

  it("refuses a body that is not a list", function()
    local card = default_card(1)
    card.body = { header = card.body[1] }
    assert.equal("card.body: expected a list", K.check(card))
  end)

  it("refuses bad values, unknown elements and missing properties", function()
    local card = default_card(1)
    card.body[2].columns[2].items[1].inlines[1].color = "orange"
    assert.matches('color: "orange" is not one of accent, attention', K.check(card), 1, true)
    card = default_card(1)
    card.body[#card.body + 1] = { type = "Table" }
    assert.matches('unknown element type "Table" in Adaptive Card 1.2', K.check(card), 1, true)
    card = default_card(1)
    card.body[2].selectAction = { type = "Action.OpenUrl" }
    assert.matches('Action.OpenUrl needs "url"', K.check(card), 1, true)
    card = default_card(1)
    card.body[2].columns[1].items[1].inlines[1].italic = "yes"
    assert.matches("italic: expected a boolean", K.check(card), 1, true)
    card = default_card(1)
    card.body[2].columns[1].items[1].inlines[1] = { type = "TextBlock", text = "x" }
    assert.matches("TextBlock", K.check(card), 1, true) -- a RichTextBlock holds only TextRuns
  end)

  it("wants version 1.2 and only the width in msteams", function()
    local card = default_card(1)
    card.version = "1.5"
    assert.matches('card.version: "1.5", expected "1.2"', K.check(card), 1, true)
    card = default_card(1)
    card.msteams.entities = {}
    assert.equal('card.msteams: unknown property "entities"', K.check(card))
  end)

  it("accepts enum values in any case, as Teams does", function()
    local card = default_card(1)
    card.body[2].columns[2].items[1].inlines[1].color = "ATTENTION"
    assert.is_nil(K.check(card))
  end)
end)
