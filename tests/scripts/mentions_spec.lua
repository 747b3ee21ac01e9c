-- The host's side of mentions: each assignee's Teams id (host/states.lua, from the
-- mention_ids setting and the members' e-mail), kept out of a saved sync (host/saved.lua),
-- and a saved sync's previous card for preview. No script involved.
local cjson = require("cjson")
local H = require("helpers")

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
