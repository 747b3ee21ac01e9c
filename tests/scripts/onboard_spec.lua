-- host/onboard.lua for `discover` and `check --online`: the projects list, the choice of
-- projects, the config.lua fragment and the per-project report.
local cjson = require("cjson")
require("helpers")
local onboard = require("onboard")
local pages = require("pages")
local states = require("states")

local function page(results, more)
  return cjson.encode({ results = results, next_page_results = more, next_cursor = "100:1:0",
    count = #results })
end

local WEB, OPS = "4af68566-94a4-4eb3-94aa-50dc9427067b", "b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13"

local function workspace()
  local b = pages.new()
  pages.add_projects_page(b, page({ { id = WEB, identifier = "WEB", name = "Site web" } }, true), "GET l")
  pages.add_projects_page(b, page({ { id = OPS, identifier = "OPS", name = "Opérations" },
    { id = WEB, identifier = "WEB", name = "Site web" } }, false), "GET l")
  pages.add_states_page(b, WEB, page({ { id = "w1", name = "Backlog", group = "backlog" },
    { id = "w2", name = "En cours", group = "started" }, { id = "w3", name = "En revue", group = "started" } },
    false), "GET s")
  pages.add_states_page(b, OPS, page({ { id = "o1", name = "Todo", group = "unstarted" },
    { id = "o2", name = "In Progress", group = "started" }, { id = "o3", name = "Review", group = "started" } },
    false), "GET s")
  return b
end

-- The digest's settings as host/reports.c hands them over.
local function ctx(configured)
  return { workspace = "acme", limit = 10, states = configured }
end

describe("discover", function()
  it("keeps the listed projects once each, in Plane's order", function()
    local b = workspace()
    assert.same({ WEB, OPS }, b.listed)
    assert.equal(WEB .. "," .. OPS, onboard.choose_projects(b, "", "acme"))
  end)

  it("chooses projects by identifier or UUID, and names the unknown one", function()
    local b = workspace()
    assert.equal(OPS .. "," .. WEB, onboard.choose_projects(b, "ops, " .. WEB:upper(), "acme"))
    local ok, e = pcall(onboard.choose_projects, b, "WEB,NOPE", "acme")
    assert.is_false(ok)
    assert.equal('no project "NOPE" among the 2 the API key sees in workspace acme (WEB, OPS)', e)
  end)

  it("writes a fragment whose states pick what the configured ones pick", function()
    local b = workspace()
    local configured = { { id = "w2", name = "En cours", group = "started" },
      { id = "00000000-0000-4000-8000-000000000000", name = "Todo", group = "unstarted" }, { group = "backlog" } }
    local text = onboard.discover(b, ctx(configured), WEB .. "," .. OPS, false)
    assert.truthy(text:find('projects = "' .. WEB .. "," .. OPS .. '", -- WEB, OPS', 1, true))
    -- an id that picks somewhere stays; one that picks nowhere goes
    assert.truthy(text:find('{ id = "w2", name = "En cours", group = "started" },', 1, true))
    assert.truthy(text:find('{ name = "Todo", group = "unstarted" },', 1, true))
    assert.truthy(text:find("-- 1: WEB En cours (by id); OPS In Progress, Review (by group)", 1, true))
    assert.truthy(text:find("-- 2: WEB nothing; OPS Todo (by name)", 1, true))
    assert.truthy(text:find("-- 3: WEB Backlog (by group); OPS nothing", 1, true))
    -- the fragment's states, read back, rank every state of every project as before
    local fragment = text:match("  states = (%b{})")
    local pasted = load("return " .. fragment)()
    for _, pid in ipairs({ WEB, OPS }) do
      local before = states.state_ranks(b.projects[pid].states, configured)
      local after = states.state_ranks(b.projects[pid].states, pasted)
      assert.same(before, after)
    end
  end)

  it("quotes names so that the fragment stays Lua", function()
    local b = workspace()
    local text = onboard.discover(b, ctx({ { name = 'Say "hi"\\now' } }), WEB, false)
    local fragment = text:match("  states = (%b{})")
    assert.same({ { name = 'Say "hi"\\now' } }, load("return " .. fragment)())
  end)

  it("gives the same as JSON", function()
    local b = workspace()
    local out = cjson.decode(onboard.discover(b, ctx({ { name = "En cours", group = "started" } }), WEB, true))
    assert.equal("acme", out.workspace)
    assert.equal(2, #out.projects)
    assert.same({ id = "w3", name = "En revue", group = "started" }, out.projects[1].states[3])
    assert.same({ WEB }, out.chosen)
    assert.same({ { project = WEB, by = "name", states = { "w2" } } }, out.states[1].picks)
    assert.truthy(out.fragment:find("states = {", 1, true))
  end)
end)

describe("check --online", function()
  local function with_issues(b)
    pages.add_issues_page(b, WEB, page({ { id = "i1", project = WEB, state = { id = "w2", group = "started" } },
      { id = "i2", project = WEB, state = { id = "w1", group = "backlog" } } }, false), "GET i")
    pages.add_issues_page(b, OPS, page({ { id = "i3", project = OPS, state = "o1" } }, false), "GET i")
    return b
  end

  it("says what each configured state picks, by what, and what today's card takes", function()
    local b = with_issues(workspace())
    local text, warnings = onboard.online_project(b, ctx({ { name = "En cours", group = "started" } }), WEB)
    assert.equal(0, warnings)
    assert.truthy(text:find('state 1 "En cours" %(started%) picks En cours %(by name%)'))
    assert.truthy(text:find("read 3 states, 2 issues (2 open)", 1, true))
    assert.truthy(text:find("not picked, though open: Backlog (backlog), En revue (started)", 1, true))
    assert.truthy(text:find("today: 1 issue in the picked states", 1, true))
  end)

  it("warns about a state that picks nothing and a project that adds nothing", function()
    local b = with_issues(workspace())
    local text, warnings = onboard.online_project(b, ctx({ { name = "En cours", group = "started" }, { name = "Blocked" } }),
      OPS)
    assert.equal(2, warnings)
    assert.truthy(text:find('warning: state 2 "Blocked" picks nothing in OPS (its states: Todo, In Progress, Review)',
      1, true))
    assert.truthy(text:find("warning: OPS would show nothing on today's card", 1, true))
  end)
end)
