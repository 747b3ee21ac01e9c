-- Run from this folder by make test-lua: busted --lpath='./?.lua;../../../scripts/?.lua;
-- ../../../host/?.lua;../../../tests/scripts/?.lua' spec
package.preload["default"] = function() return dofile("../../../scripts/transform.lua") end
package.preload["default_card"] = function() return dofile("../../../scripts/card.lua") end
local cjson = require("cjson")
local H = require("helpers")
local K = require("cardcheck")
local T = require("transform")
local C = require("card")

local function issues()
  return {
    H.issue({ priority = "urgent", label_names = { "infra" } }),
    H.issue({ priority = "low", label_names = { "bug", "frontend" } }),
    H.issue({ priority = "high", label_names = {} }),
    H.issue({ priority = "medium", label_names = { "bug" } }),
  }
end

describe("gallery: labels", function()
  it("asks the host for the labels", function()
    assert.same({ labels = true }, T.needs)
  end)

  it("puts the issues of options.first_label first, each part in the shipped order", function()
    local list = issues()
    local rows, total = T.transform(list, H.ctx({ options = { first_label = "bug" } }))
    assert.equal(4, total)
    assert.same({ list[4].id, list[2].id, list[1].id, list[3].id },
      { rows[1].id, rows[2].id, rows[3].id, rows[4].id })
    assert.same({ 1, 2, 3, 4 }, { rows[1].rank, rows[2].rank, rows[3].rank, rows[4].rank })
    assert.same({ "bug", "frontend" }, rows[2].labels)
  end)

  it("keeps the shipped order without the option, and the limit", function()
    local list = issues()
    local rows = T.transform(list, H.ctx({ limit = 2 }))
    assert.same({ list[1].id, list[3].id }, { rows[1].id, rows[2].id })
  end)

  it("shows each row's labels at the end of its detail line, and Teams can show the card", function()
    local rows = T.transform(issues(), H.ctx({ options = { first_label = "bug" } }))
    local card = C.card(rows, H.ctx({ total = #rows }))
    local text = cjson.encode(card)
    assert.matches("🏷 bug, frontend", text, 1, true)
    assert.matches("🏷 infra", text, 1, true)
    assert.is_nil(K.check(cjson.decode(text)))
  end)
end)
