-- Run from this folder by make test-lua (see ../labels/spec/labels_spec.lua for the path).
package.preload["default"] = function() return dofile("../../../scripts/transform.lua") end
package.preload["default_card"] = function() return dofile("../../../scripts/card.lua") end
local cjson = require("cjson")
local H = require("helpers")
local K = require("cardcheck")
local T = require("transform")
local C = require("card")

local SPRINT = { id = "c1", name = "Sprint 48", start_date = "2026-11-30", end_date = "2026-12-12" }

local function ctx(fields)
  local c = H.ctx(fields)
  c.projects.p1.current_cycle = SPRINT
  return c
end

describe("gallery: the current cycle", function()
  it("asks the host for the cycles", function()
    assert.same({ cycles = true }, T.needs)
  end)

  it("keeps only the issues of a current cycle, and counts only them", function()
    local list = { H.issue({ priority = "urgent" }), H.issue({ priority = "low", cycle = SPRINT }),
      H.issue({ priority = "high", cycle = SPRINT }) }
    local rows, total = T.transform(list, ctx())
    assert.equal(2, total)
    assert.same({ list[3].id, list[2].id }, { rows[1].id, rows[2].id })
  end)

  it("titles the card with the cycle's name and end date, in the card's language", function()
    local card = C.card({}, ctx({ total = 0 }))
    assert.equal("🏃 Sprint 48 · ends Saturday, December 12, 2026", card.body[1].items[1].inlines[1].text)
    card = C.card({}, ctx({ total = 0, language = "fr" }))
    assert.equal("🏃 Sprint 48 · fin samedi 12 décembre 2026", card.body[1].items[1].inlines[1].text)
    assert.is_nil(K.check(cjson.decode(cjson.encode(card))))
  end)

  it("keeps the shipped title when no project has a current cycle", function()
    local card = C.card({}, H.ctx({ total = 0 }))
    assert.equal("🎯 Top priority issues", card.body[1].items[1].inlines[1].text)
  end)
end)
