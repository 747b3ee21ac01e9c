-- The host's Lua for the scripts' needs (host/needs.lua, and what saved.lua and
-- sample.lua do with them): Plane's labels, cycles and modules replies decoded, each
-- issue's label_names, cycle and module_names, and a saved sync that keeps them.
local cjson = require("cjson")
require("helpers")
local needs = require("needs")
local pages = require("pages")
local sample = require("sample")
local saved = require("saved")

local hostspec = require("hostspec")
local page, err_of = hostspec.page, hostspec.err_of

local ALL = { labels = true, cycles = true, modules = true }

-- A batch with one project p1, three issues, and every need's replies.
local function fetched()
  local b = pages.new()
  pages.add_issues_page(b, "p1", page({
    { id = "a", labels = { "l2", "gone", "l1" } }, { id = "b", labels = {} }, { id = "c" } }, false), "GET i")
  assert.same({ true, "100:1:0", 1 }, { needs.add_labels_page(b, "p1",
    page({ { id = "l1", name = "bug", color = "#f00", parent = cjson.null } }, true), "GET l") })
  needs.add_labels_page(b, "p1", page({ { id = "l2", name = "ui" } }, false), "GET l")
  assert.same({ "c1" }, needs.set_cycles(b, "p1", cjson.encode({
    { id = "c1", name = "Sprint 3", start_date = "2026-12-01T00:00:00Z", end_date = "2026-12-14T23:59:59Z",
      owned_by = "u" } }), "GET c"))
  needs.add_items_of(b, "c1", page({ { id = "a" } }, true), "GET ci")
  needs.add_items_of(b, "c1", page({ { id = "c" } }, false), "GET ci")
  local ids = needs.add_modules_page(b, "p1", page({
    { id = "m1", name = "Login", status = "in-progress" }, { id = "m2", name = "Old", status = "completed" },
    { id = "m3", name = "Later", status = "planned" }, { id = "m4", name = "Dropped", status = "cancelled" } }, false),
    "GET m")
  assert.same({ "m1", "m3" }, ids)
  needs.add_items_of(b, "m1", page({ { id = "a" } }, false), "GET mi")
  needs.add_items_of(b, "m3", page({ { id = "a" }, { id = "b" } }, false), "GET mi")
  return b
end

describe("needs: Plane's replies", function()
  it("gives each issue label_names, cycle and module_names, and the project its lists", function()
    local b = fetched()
    needs.attach(b, ALL)
    local a, bb, c = b.issues[1], b.issues[2], b.issues[3]
    assert.same({ "ui", "bug" }, a.label_names) -- issue.labels' order, the unknown id left out
    assert.same({}, bb.label_names)
    assert.same({}, c.label_names)
    assert.same({ id = "c1", name = "Sprint 3", start_date = "2026-12-01", end_date = "2026-12-14" }, a.cycle)
    assert.is_nil(bb.cycle)
    assert.equal(a.cycle, c.cycle)
    assert.same({ "Login", "Later" }, a.module_names)
    assert.same({ "Later" }, bb.module_names)
    assert.same({}, c.module_names)
    local p = b.projects.p1
    assert.same({ { id = "l1", name = "bug", color = "#f00" }, { id = "l2", name = "ui" } }, p.labels)
    assert.equal("Sprint 3", p.current_cycle.name)
    assert.equal(4, #p.modules)
    assert.equal("completed", p.modules[2].status)
  end)

  it("adds nothing for the needs the scripts do not declare", function()
    local b = fetched()
    needs.attach(b, { cycles = true })
    assert.is_nil(b.issues[1].label_names)
    assert.is_nil(b.issues[1].module_names)
    assert.is_not_nil(b.issues[1].cycle)
    local projects = needs.for_scripts({ p1 = { labels = {}, current_cycle = {}, cycles = {}, modules = {} } },
      { cycles = true })
    assert.same({ p1 = { current_cycle = {} } }, projects)
  end)

  it("no current cycle: current_cycle and every issue's cycle are nil", function()
    local b = pages.new()
    pages.add_issues_page(b, "p1", page({ { id = "a" } }, false), "GET i")
    assert.same({}, needs.set_cycles(b, "p1", "[]", "GET c"))
    needs.attach(b, ALL)
    assert.is_nil(b.projects.p1.current_cycle)
    assert.is_nil(b.issues[1].cycle)
  end)

  it("a refused need drops what it brought", function()
    local b = fetched()
    needs.drop(b, "p1", "cycles")
    needs.drop(b, "p1", "labels")
    needs.attach(b, ALL)
    assert.is_nil(b.projects.p1.current_cycle)
    assert.is_nil(b.issues[1].cycle)
    assert.is_nil(b.issues[1].label_names)
    assert.same({ "Login", "Later" }, b.issues[1].module_names)
  end)

  it("names the endpoint and the problem for malformed replies", function()
    local b = pages.new()
    assert.equal("GET c: expected a JSON array of cycles, got an object",
      err_of(needs.set_cycles, b, "p1", page({}, false), "GET c"))
    assert.equal("GET c: cycles[1] is not an object with a string id",
      err_of(needs.set_cycles, b, "p1", '[{"name":"x"}]', "GET c"))
    assert.equal("GET l: expected a JSON object with results, got a list",
      err_of(needs.add_labels_page, b, "p1", '[{"id":"l1"}]', "GET l"))
    assert.equal("GET mi: the response body is empty, expected JSON", err_of(needs.add_items_of, b, "m1", "", "GET mi"))
  end)
end)

describe("needs: a saved sync and the sample", function()
  it("a saved sync keeps labels, cycles, modules and their issues", function()
    local text = saved.save(fetched())
    local v = cjson.decode(text)
    assert.equal("plane-teams sync 2", v.format)
    assert.same({ "a", "c" }, v.projects[1].cycles[1].issues)
    local b = pages.new()
    assert.equal(3, saved.add_issues_file(b, text, "saved.json"))
    needs.attach(b, ALL)
    assert.same({ "ui", "bug" }, b.issues[1].label_names)
    assert.equal("Sprint 3", b.issues[1].cycle.name)
    assert.equal("Sprint 3", b.projects.p1.current_cycle.name)
    assert.same({ "Login", "Later" }, b.issues[1].module_names)
  end)

  it("a saved sync of format 1 still reads, without the needs' data", function()
    local b = pages.new()
    local text = cjson.encode({ format = "plane-teams sync 1", projects = { { id = "p1", identifier = "OPS" } },
      issues = { { id = "a", project = "p1" } } })
    assert.equal(1, saved.add_issues_file(b, text, "old.json"))
    needs.attach(b, ALL)
    assert.is_nil(b.issues[1].label_names)
    assert.is_nil(b.projects.p1.current_cycle)
  end)

  it("the sample carries labels, a current cycle, modules and updated_at", function()
    local b = sample()
    needs.attach(b, ALL)
    local web
    for _, p in pairs(b.projects) do if p.identifier == "WEB" then web = p end end
    assert.equal("Sprint 48", web.current_cycle.name)
    assert.equal(2, #web.labels)
    local first = b.issues[1]
    assert.same({ "bug", "frontend" }, first.label_names)
    assert.equal("Sprint 48", first.cycle.name)
    assert.same({ "Connexion" }, first.module_names)
    assert.matches("^2026%-01%-0%dT", first.updated_at)
    assert.same({ "frontend" }, b.issues[3].label_names) -- an unknown label id left out
  end)
end)
