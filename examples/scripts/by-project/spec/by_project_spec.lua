-- Run from this folder by make test-lua (see ../labels/spec/labels_spec.lua for the path).
package.preload["default_card"] = function() return dofile("../../../scripts/card.lua") end
local cjson = require("cjson")
local H = require("helpers")
local K = require("cardcheck")
local T = require("transform")
local C = require("card")

local function ctx(fields)
  local c = H.ctx(fields)
  c.projects.p2 = { id = "p2", identifier = "OPS", name = "Opérations", states = { H.EN_COURS } }
  return c
end

local function texts(card)
  local out = {}
  for _, el in ipairs(card.body) do
    if el.type == "RichTextBlock" then out[#out + 1] = el.inlines[1].text
    elseif el.type == "ColumnSet" then out[#out + 1] = el.columns[1].items[1].inlines[1].text end
  end
  return out
end

describe("gallery: rows by project", function()
  it("groups the rows under one header per project, in the order of their first row", function()
    local list = { H.issue({ priority = "urgent", project = "p2" }), H.issue({ priority = "high" }),
      H.issue({ priority = "medium", project = "p2" }), H.issue({ priority = "low" }) }
    local rows = T.transform(list, ctx())
    local card = C.card(rows, ctx({ total = #rows }))
    assert.same({ "Opérations (2)", "#1", "#3", "Site web (2)", "#2", "#4" }, texts(card))
    assert.is_nil(K.check(cjson.decode(cjson.encode(card))))
  end)

  it("keeps the shipped card's empty day", function()
    local card = C.card({}, ctx({ total = 0 }))
    assert.matches("Nothing open", cjson.encode(card), 1, true)
  end)
end)
