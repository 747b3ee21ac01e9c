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

  it("wants version 1.2 and only the width and entities in msteams", function()
    local card = default_card(1)
    card.version = "1.5"
    assert.matches('card.version: "1.5", expected "1.2"', K.check(card), 1, true)
    card = default_card(1)
    card.msteams.entities = {}
    assert.is_nil(K.check(card))
    card.msteams.mentions = {}
    assert.equal('card.msteams: unknown property "mentions"', K.check(card))
  end)

  describe("msteams.entities", function()
    local function with_mention(entity, text)
      local card = default_card(1)
      card.body[#card.body + 1] = { type = "TextBlock", text = text or "for <at>Zoé</at>, Ana" }
      card.msteams.entities = { entity }
      return card
    end
    local function good()
      return { type = "mention", text = "<at>Zoé</at>", mentioned = { id = "zoe@example.com", name = "Zoé" } }
    end

    it("accepts a mention whose text is in a TextBlock", function()
      assert.is_nil(K.check(with_mention(good())))
      local e = good()
      e.mentioned.id = "4af68566-94a4-4eb3-94aa-50dc9427067b"
      assert.is_nil(K.check(with_mention(e)))
    end)

    it("refuses every other shape, naming the entry and the field", function()
      local cases = {
        { function(e) e.type = "tag" end, 'entities[1].type: expected "mention"' },
        { function(e) e.text = "Zoé" end, "entities[1].text: expected one <at>Name</at>" },
        { function(e) e.text = "<at>Zoé</at> <at>Ana</at>" end, "entities[1].text: expected one <at>Name</at>" },
        { function(e) e.text = "<at></at>" end, "entities[1].text: expected one <at>Name</at>" },
        { function(e) e.mentioned = "zoe@example.com" end, "entities[1].mentioned: expected an object" },
        { function(e) e.mentioned.id = "" end, "entities[1].mentioned.id: expected a UPN" },
        { function(e) e.mentioned.id = nil end, "entities[1].mentioned.id: expected a UPN" },
        { function(e) e.mentioned.name = 3 end, "entities[1].mentioned.name: expected a name" },
        { function(e) e.mentioned.type = "person" end, 'entities[1].mentioned: unknown property "type"' },
        { function(e) e.id = "x" end, 'entities[1]: unknown property "id"' },
      }
      for _, c in ipairs(cases) do
        local e = good()
        c[1](e)
        assert.matches(c[2], K.check(with_mention(e)) or "(accepted)", 1, true)
      end
      local card = default_card(1)
      card.msteams.entities = { type = "mention" }
      assert.equal("card.msteams.entities: expected a list", K.check(card))
      card.msteams.entities = { "<at>Zoé</at>" }
      assert.equal("card.msteams.entities[1]: expected an object", K.check(card))
    end)

    it("refuses a mention Teams would not read: its text in no TextBlock, or only in a TextRun", function()
      assert.matches("appears in no TextBlock", K.check(with_mention(good(), "for Zoé")), 1, true)
      local card = default_card(1)
      card.body[#card.body + 1] = { type = "RichTextBlock", inlines = { { type = "TextRun", text = "<at>Zoé</at>" } } }
      card.msteams.entities = { good() }
      assert.matches("appears in no TextBlock", K.check(card), 1, true)
      -- the text must be there verbatim: case and spaces count
      assert.matches("appears in no TextBlock", K.check(with_mention(good(), "<at>zoé</at>")), 1, true)
    end)
  end)

  it("accepts enum values in any case, as Teams does", function()
    local card = default_card(1)
    card.body[2].columns[2].items[1].inlines[1].color = "ATTENTION"
    assert.is_nil(K.check(card))
  end)
end)
