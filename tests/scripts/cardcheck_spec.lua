-- host/cardcheck.lua: the host refuses cards Teams would accept with 202 and then drop.
-- The cards here are the spec's own (a layout like the shipped one, built below), not
-- scripts/card.lua's: a team that rewrites its card keeps this spec as it is.
local K = require("cardcheck")

local function run(text, props)
  local r = { type = "TextRun", text = text }
  for k, v in pairs(props or {}) do r[k] = v end
  return r
end

local function rich(inlines, props)
  local b = { type = "RichTextBlock", inlines = inlines }
  for k, v in pairs(props or {}) do b[k] = v end
  return b
end

local PRIORITIES = { { "🔴 URGENT", "attention" }, { "🟠 HIGH", "warning" }, { "🟢 MEDIUM", "good" },
  { "🔵 LOW", "accent" }, { "⚪ NONE", "default" } }

-- A card of n rows and a "+ more" line when total > n: a header Container, then one
-- ColumnSet per row (rank, priority, name and detail), each opening a link.
local function default_card(n, total)
  local body = { { type = "Container", items = {
    rich({ run("🎯 Top priority issues", { size = "Medium", weight = "Bolder" }) }),
    rich({ run("Thursday, November 26, 2026 · Site web", { isSubtle = true }) }, { spacing = "None" }),
  } } }
  for i = 1, n do
    local url = "https://app.plane.so/acme/browse/WEB-" .. i .. "/"
    local prio = PRIORITIES[i % 5 + 1]
    local name = i % 2 == 0 and "Été — 監視 🎯" or string.rep("long ", 60)
    body[#body + 1] = { type = "ColumnSet", separator = true, spacing = "Small",
      selectAction = { type = "Action.OpenUrl", url = url },
      columns = {
        { type = "Column", width = "36px", items = { rich({ run("#" .. i, { weight = "Bolder" }) }) } },
        { type = "Column", width = "116px", items = { rich({ run(prio[1], { weight = "Bolder", color = prio[2] }) }) } },
        { type = "Column", width = "stretch", items = {
          rich({ run(name) }),
          rich({ run("En cours", { isSubtle = true, weight = "Bolder" }), run(" · ", { isSubtle = true }),
            run("WEB-" .. i, { isSubtle = true, selectAction = { type = "Action.OpenUrl", url = url } }) },
            { spacing = "None" }),
        } },
      } }
  end
  if n == 0 then
    body[#body + 1] = rich({ run("✅ Nothing open in these states today.") }, { spacing = "Medium" })
  end
  if (total or n) > n then
    body[#body + 1] = rich({ run("+ " .. (total - n) .. " more", { isSubtle = true }) }, { spacing = "Medium" })
  end
  return { type = "AdaptiveCard", ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
    version = "1.2", msteams = { width = "Full" }, body = body }
end

describe("cardcheck", function()
  it("accepts a card of the shipped layout for 0, 1, 10, 11 and 200 rows", function()
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
