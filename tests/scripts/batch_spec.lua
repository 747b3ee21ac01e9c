-- The host's Lua (host/pages.lua, states.lua, saved.lua, render.lua, sample.lua): the
-- decoding of Plane replies, the configured states, and checks of script output. Its
-- scripts are its own: it passes whatever scripts/ holds.
local cjson = require("cjson")
local H = require("helpers")
local pages = require("pages")
local render = require("render")
local sample = require("sample")
local saved = require("saved")
local states = require("states")

local hostspec = require("hostspec")
local page, err_of = hostspec.page, hostspec.err_of

describe("batch: Plane pages", function()
  it("adds issues once by id and reports the cursor", function()
    local b = pages.new()
    local more, cursor, n = pages.add_issues_page(b, "p1", page({ { id = "a" }, { id = "b" } }, true, "100:1:0"), "GET x")
    assert.is_true(more)
    assert.equal("100:1:0", cursor)
    assert.equal(2, n)
    pages.add_issues_page(b, "p1", page({ { id = "b" }, { id = "c" } }, false), "GET x")
    assert.equal(3, #b.issues)
    assert.equal("p1", b.issues[3].project)
  end)

  it("names the endpoint and the problem for malformed replies", function()
    local b = pages.new()
    local where = "GET /api/v1/workspaces/acme/projects/p1/issues/"
    assert.equal(where .. ": the response body is empty, expected JSON", err_of(pages.add_issues_page, b, "p1", "", where))
    assert.equal(where .. ": the response is an HTML page, not JSON",
      err_of(pages.add_issues_page, b, "p1", "<html><body>502 Bad Gateway</body></html>", where))
    assert.matches("^" .. where:gsub("%p", "%%%0") .. ": the response is not valid JSON",
      err_of(pages.add_issues_page, b, "p1", '{"results": [{"id": "a"', where))
    assert.matches("'results' is not a list", err_of(pages.add_issues_page, b, "p1", '{"results": 3}', where), 1, true)
    assert.matches("'results' is null", err_of(pages.add_issues_page, b, "p1", '{"results": null}', where), 1, true)
    assert.matches("'next_page_results' is missing",
      err_of(pages.add_issues_page, b, "p1", '{"results": []}', where), 1, true)
    assert.matches("results[1] is not an object with a string id",
      err_of(pages.add_issues_page, b, "p1", page({ 5 }, false), where), 1, true)
    assert.matches("next_cursor", err_of(pages.add_issues_page, b, "p1",
      '{"results": [], "next_page_results": true, "next_cursor": null}', where), 1, true)
    assert.matches("expected a JSON object", err_of(pages.add_issues_page, b, "p1", "[1,2]", where), 1, true)
  end)

  it("expands states from the project's state list and defaults the priority", function()
    local b = pages.new()
    pages.add_states_page(b, "p1", page({ { id = "s1", name = "En cours", group = "started", color = "#fff" } }, false), "s")
    pages.add_issues_page(b, "p1", page({ { id = "a", state = "s1", priority = cjson.null, sequence_id = 4.0 },
      { id = "b", state = "unknown" }, { id = "c", state = cjson.null } }, false), "i")
    local issues = states.prepare(b, { { group = "started" }, { name = "" } })
    assert.same({ id = "s1", name = "En cours", color = "#fff", group = "started" }, issues[1].state)
    assert.equal("none", issues[1].priority)
    assert.equal(4, issues[1].sequence_id)
    assert.equal("integer", math.type(issues[1].sequence_id))
    assert.equal(1, #issues) -- "unknown" is not a state of the project; a null state never matches
    assert.same({ id = "unknown", name = "", group = "" }, b.issues[2].state)
    assert.equal(cjson.null, b.issues[3].state)
  end)

  it("replaces bytes that are not UTF-8 with U+FFFD", function()
    assert.equal("a\u{FFFD}b\u{FFFD}(é", pages.valid_utf8("a\255b\xC3\x28é"))
    assert.equal("plain é 🎯", pages.valid_utf8("plain é 🎯"))
    local b = pages.new()
    pages.add_issues_page(b, "p1", '{"results": [{"id": "a", "name": "caf\xE9 cr\xE8me"}], "next_page_results": false}', "w")
    assert.equal("caf\u{FFFD} cr\u{FFFD}me", b.issues[1].name)
  end)

  it("reads the project's identifier and name", function()
    local b = pages.new()
    pages.set_project(b, "p1", cjson.encode({ id = "p1", identifier = "WEB", name = "Site web" }), "GET p")
    assert.equal("WEB", b.projects.p1.identifier)
    assert.matches("no identifier", err_of(pages.set_project, b, "p1", '{"id": "p1"}', "GET p"), 1, true)
  end)
end)

describe("batch: the configured states", function()
  local function prepared(issues, projects, configured)
    local b = pages.new()
    for pid, p in pairs(projects) do b.projects[pid] = p end
    for _, i in ipairs(issues) do b.issues[#b.issues + 1] = i end
    local kept = states.prepare(b, configured or H.configured())
    local out = {}
    for n, i in ipairs(kept) do out[n] = i.id .. "@" .. i.state_rank end
    return out
  end

  it("keeps issues whose state is configured, by id, with the rank of the configured state", function()
    local done = { id = "done", name = "Done", group = "completed" }
    local p1 = { id = "p1", states = { H.BACKLOG, H.A_FAIRE, H.EN_COURS, done } }
    local keep = H.issue({ state = H.A_FAIRE.id })
    local gone = H.issue({ state = done.id })
    assert.same({ keep.id .. "@2" }, prepared({ keep, gone }, { p1 = p1 }))
  end)

  it("falls back to the name, ASCII letters case-insensitive, other characters exact", function()
    local st = { id = "x-en-cours", name = "EN COURS", group = "started" }
    local accented = { id = "x-a-faire", name = "À faire", group = "unstarted" }
    local p2 = { id = "p2", identifier = "OPS", states = { st, accented } }
    local a = H.issue({ project = "p2", state = st.id })
    local b = H.issue({ project = "p2", state = accented.id })
    -- "À" is not an ASCII letter, so "à faire" does not match "À faire"
    assert.same({ a.id .. "@1" }, prepared({ a, b }, { p2 = p2 }, { { name = "en cours" }, { name = "à faire" } }))
  end)

  it("falls back to the group when the project has neither the id nor the name", function()
    local backlog = { id = "d-backlog", name = "Backlog", group = "backlog" }
    local todo = { id = "d-todo", name = "Todo", group = "unstarted" }
    local progress = { id = "d-progress", name = "In Progress", group = "started" }
    local done = { id = "d-done", name = "Done", group = "completed" }
    local p3 = { id = "p3", states = { backlog, todo, progress, done } }
    local issues = {}
    for n, s in ipairs({ backlog, todo, progress, done }) do
      issues[n] = H.issue({ project = "p3", state = s.id })
    end
    -- In Progress stands for En cours, Todo for A faire, Backlog by name
    assert.same({ issues[1].id .. "@3", issues[2].id .. "@2", issues[3].id .. "@1" },
      prepared(issues, { p3 = p3 }))
  end)

  it("leaves out another state of the group when the project has the named one", function()
    local review = { id = "x-review", name = "In Review", group = "started" }
    local p1 = { id = "p1", states = { H.EN_COURS, review } }
    local a = H.issue({ state = H.EN_COURS.id })
    local b = H.issue({ state = review.id })
    assert.same({ a.id .. "@1" }, prepared({ a, b }, { p1 = p1 }))
  end)

  it("ranks a state by the first configured state that picked it, and says how", function()
    local ranks, how = states.state_ranks({ { id = "s1", name = "Doing", group = "started" } },
      { { group = "started" }, { name = "Doing" }, { name = "Nope" } })
    assert.equal(1, ranks.s1)
    assert.same({ "group", "name" }, how)
  end)

  it("derives a project's states from its issues when it lists none", function()
    local s = { id = "zz", name = "A faire", group = "unstarted" }
    local i = H.issue({ project = "p9", state = s })
    assert.same({ i.id .. "@2" }, prepared({ i }, {}))
  end)
end)

describe("batch: issues dropped as their pages come (a sync)", function()
  local configured = { { name = "Todo" }, { group = "started" } }
  local st = { { id = "s1", name = "Todo", group = "unstarted" }, { id = "s2", name = "Doing", group = "started" },
    { id = "s3", name = "Done", group = "completed" } }
  local issues = { { id = "a", state = "s1" }, { id = "b", state = { id = "s3" } }, { id = "c", state = { id = "s2" } },
    { id = "d", state = "s9" } }

  local function ids(b)
    local out = {}
    for _, i in ipairs(b.issues) do out[#out + 1] = i.id end
    return out
  end

  it("keeps only the issues a configured state picks once the states are known, counting all", function()
    local b = pages.new()
    pages.pick_states(b, configured)
    pages.add_states_page(b, "p1", page(st, false), "s")
    pages.add_issues_page(b, "p1", page(issues, false), "i")
    assert.same({ "a", "c" }, ids(b))
    assert.equal(4, pages.count(b))
    local kept = states.prepare(b, configured)
    assert.equal(2, #kept)
  end)

  it("sifts the issues that came before the last page of states", function()
    local b = pages.new()
    pages.pick_states(b, configured)
    pages.add_issues_page(b, "p1", page(issues, false), "i")
    pages.add_states_page(b, "p1", page({ st[1] }, true), "s")
    assert.equal(4, #b.issues) -- the states are not all known yet: nothing dropped
    pages.add_states_page(b, "p1", page({ st[2], st[3] }, false), "s")
    assert.same({ "a", "c" }, ids(b))
    pages.add_issues_page(b, "p1", page({ { id = "b", state = "s2" } }, false), "i")
    assert.same({ "a", "c", "b" }, ids(b)) -- a dropped id that comes back picked is kept
  end)

  it("drops nothing without configured states to pick, or in a project that lists no states", function()
    local b = pages.new()
    pages.add_states_page(b, "p1", page(st, false), "s")
    pages.add_issues_page(b, "p1", page(issues, false), "i")
    assert.equal(4, #b.issues)
    b = pages.new()
    pages.pick_states(b, configured)
    pages.add_states_page(b, "p1", page({}, false), "s")
    pages.add_issues_page(b, "p1", page(issues, false), "i")
    assert.equal(4, #b.issues)
  end)
end)

describe("batch: saved issue files (preview)", function()
  it("accepts a page or an array, and derives states from the issues", function()
    local s = { id = "s1", name = "Todo", group = "unstarted" }
    for _, body in ipairs({ page({ { id = "a", project = "p1", state = s } }, false),
      cjson.encode({ { id = "a", project = "p1", state = s } }) }) do
      local b = pages.new()
      assert.equal(1, saved.add_issues_file(b, body, "f.json"))
      states.prepare(b, H.configured())
      assert.same({ s }, b.projects.p1.states)
    end
  end)

  it("rejects anything else with the file name", function()
    assert.equal("f.json: expected a Plane page (an object with results) or a JSON array of issues",
      err_of(saved.add_issues_file, pages.new(), '{"issues": []}', "f.json"))
  end)
end)

describe("batch: script output checks", function()
  it("cuts names to 200 code points, never inside a UTF-8 sequence", function()
    local long = string.rep("é", 250)
    local cut = render.cut(long, 200)
    assert.equal(201, utf8.len(cut))
    assert.equal("…", cut:sub(-3))
    assert.equal("short", render.cut("short", 200))
    assert.equal(string.rep("a", 200), render.cut(string.rep("a", 200), 200))
  end)

  it("rejects rows that are not a list of tables with ids, or too many", function()
    assert.matches("expected a list of rows", err_of(render.check_rows, "x", nil, 10, 0), 1, true)
    assert.matches("row 2 without a string id (rows[2].id is nil)",
      err_of(render.check_rows, { { id = "a" }, {} }, nil, 10, 0), 1, true)
    assert.matches("rows[1].id is table", err_of(render.check_rows, { { id = {} } }, nil, 10, 0), 1, true)
    assert.matches("more than the limit", err_of(render.check_rows, { { id = "a" }, { id = "b" } }, 2, 1, 0), 1, true)
    assert.matches("total", err_of(render.check_rows, { { id = "a" } }, 0, 10, 0), 1, true)
    local total, ids = render.check_rows({ { id = "a" } }, 5, 10, 0)
    assert.equal(5, total)
    assert.same({ "a" }, ids)
    assert.equal(7, (render.check_rows({ { id = "a" } }, nil, 10, 7)))
  end)

  it("reads rows raw: a metatable cannot hide or invent an id", function()
    local sneaky = setmetatable({}, { __index = function() return { id = "x" } end, __len = function() return 1 end })
    local total, ids = render.check_rows(sneaky, nil, 10, 0)
    assert.same({}, ids)
    assert.equal(0, total)
    local row = setmetatable({}, { __index = { id = "x" } })
    assert.matches("row 1 without a string id", err_of(render.check_rows, { row }, nil, 10, 0), 1, true)
  end)

  it("has a built-in sample with every priority and a state of each kind", function()
    local b = sample()
    local prios = {}
    for _, i in ipairs(b.issues) do prios[tostring(i.priority)] = true end
    assert.truthy(prios.urgent and prios.high and prios.medium and prios.low)
    assert.equal(7, #b.issues)
  end)
end)

describe("batch: assignees", function()
  local members = {
    u1 = { id = "u1", display_name = "zoe", first_name = "Zoé", last_name = "Martin" },
    u2 = { id = "u2", first_name = "Ahmed", last_name = "Ben Ali" },
    u3 = { id = "u3", display_name = "" },
  }

  it("names assignees by display name, else first and last name, in Plane's order", function()
    assert.same({ "Ahmed Ben Ali", "zoe" }, states.assignee_names({ "u2", "u1" }, members))
    assert.same({ "zoe" }, states.assignee_names({ { id = "u1" } }, members)) -- expanded assignees
  end)

  it("shows nothing for an id that matches no member, or a member without a name", function()
    assert.same({ "zoe" }, states.assignee_names({ "nobody", "u1", "u3" }, members))
  end)

  it("shows nothing when the members could not be read, or there are no assignees", function()
    assert.same({}, states.assignee_names({ "u1" }, nil))
    assert.same({}, states.assignee_names(cjson.null, members))
    assert.same({}, states.assignee_names({}, members))
  end)

  it("gives every prepared issue its assignee_names from its own project's members", function()
    local b = pages.new()
    pages.add_states_page(b, "p1", page({ H.EN_COURS }, false), "GET s")
    pages.add_states_page(b, "p2", page({ H.EN_COURS }, false), "GET s")
    pages.set_members(b, "p1", cjson.encode({ { id = "u1", display_name = "zoe" } }), "GET m")
    pages.add_issues_page(b, "p1", page({ { id = "a", state = H.EN_COURS, assignees = { "u1" } } }, false), "GET x")
    pages.add_issues_page(b, "p2", page({ { id = "b", state = H.EN_COURS, assignees = { "u1" } } }, false), "GET x")
    local kept = states.prepare(b, H.configured())
    assert.same({ "zoe" }, kept[1].assignee_names)
    assert.same({}, kept[2].assignee_names) -- p2's members were not read
  end)
end)

describe("batch: a saved sync", function()
  local function fetched()
    local b = pages.new()
    pages.set_project(b, "p1", cjson.encode({ id = "p1", identifier = "OPS", name = "Opérations" }), "GET p")
    pages.add_states_page(b, "p1", page({ H.EN_COURS, H.BACKLOG }, false), "GET s")
    pages.set_members(b, "p1", cjson.encode({ { id = "u1", display_name = "zoe", email = "z@example.com" } }), "GET m")
    pages.add_issues_page(b, "p1", page({ { id = "a", name = "One", sequence_id = 3, priority = "high",
      state = H.EN_COURS, assignees = { "u1" }, target_date = "2026-11-30" } }, false), "GET x")
    return b
  end

  it("reads back what was fetched: projects with identifiers, states, members, issues", function()
    local text = saved.save(fetched())
    local v = cjson.decode(text)
    assert.equal(saved.SAVED_FORMAT, v.format)
    assert.equal("OPS", v.projects[1].identifier)
    assert.is_nil(v.projects[1].members[1].email) -- only what the card may show
    local b = pages.new()
    assert.equal(1, saved.add_issues_file(b, text, "saved.json"))
    local kept, projects = states.prepare(b, H.configured())
    assert.equal("OPS", projects.p1.identifier)
    assert.equal("Opérations", projects.p1.name)
    assert.equal(2, #projects.p1.states)
    assert.same({ "zoe" }, kept[1].assignee_names)
    assert.equal("2026-11-30", kept[1].target_date)
  end)

  it("refuses a format it does not know, and malformed lists, naming the file", function()
    assert.matches('saved.json: format "plane-teams sync 9"',
      err_of(saved.add_issues_file, pages.new(), '{"format":"plane-teams sync 9"}', "saved.json"), 1, true)
    assert.matches("saved.json: a saved sync needs the lists 'projects' and 'issues'",
      err_of(saved.add_issues_file, pages.new(), cjson.encode({ format = saved.SAVED_FORMAT, projects = {} }),
        "saved.json"), 1, true)
  end)
end)

describe("render: what the scripts get", function()
  -- Scripts of the spec's own, not scripts/'s: a team's rewritten scripts leave this spec
  -- as it is. One row per issue, in the order given; one TextBlock per row.
  local T = { transform = function(issues, c)
    local rows = {}
    for i = 1, math.min(c.limit, #issues) do
      local issue = issues[i]
      rows[i] = { rank = i, id = issue.id, name = issue.name, priority = issue.priority }
    end
    return rows, #issues
  end }
  local C = { card = function(rows)
    local body = { { type = "TextBlock", text = "Today" } }
    for _, r in ipairs(rows) do body[#body + 1] = { type = "TextBlock", text = r.rank .. ". " .. r.name } end
    return { type = "AdaptiveCard", version = "1.2", body = body }
  end }

  local function scripts(transform)
    return { transform = transform, card = C.card, dir = "scripts" }
  end

  local function ctx()
    return { digest = "main", app_url = "https://app.plane.so", workspace = "acme", now = "2026-11-26T08:00:00+01:00",
      date = "2026-11-26", limit = 10, empty = "post", language = "en",
      states = { { group = "started" }, { group = "unstarted" }, { group = "backlog" } } }
  end

  it("returns one table with every field the host reads", function()
    local out = render.render(scripts(T.transform), sample(), ctx(), 24000, false)
    assert.equal(7, out.fetched)
    assert.equal(6, out.matching)
    assert.equal(6, #out.ids)
    assert.equal("string", type(out.envelope))
    assert.equal("number", type(out.transform_ms))
    assert.equal("number", type(out.card_ms))
  end)

  it("gives transform a copy of the batch's projects: what it changes stays its own", function()
    local b = sample()
    local function vandal(issues, c)
      for _, p in pairs(c.projects) do
        for _, s in ipairs(p.states) do s.name, s.group = "renamed", "renamed" end
        p.identifier, p.states = "X", {}
      end
      return T.transform(issues, c)
    end
    render.render(scripts(vandal), b, ctx(), 24000, false)
    for _, p in pairs(b.projects) do
      assert.is_not.equal("X", p.identifier)
      assert.is_true(#p.states > 0)
      for _, s in ipairs(p.states) do assert.is_not.equal("renamed", s.name) end
    end
    -- and the next sample is the sample
    assert.equal(6, render.render(scripts(T.transform), sample(), ctx(), 24000, false).matching)
  end)

  it("gives each call its own copy of ctx.options: a change never reaches the next call", function()
    local seen = {}
    local function greedy(issues, c)
      seen[#seen + 1] = c.options.focus .. "/" .. #c.options.people
      c.options.focus, c.options.people[1] = "changed", nil
      return T.transform(issues, c)
    end
    local function card(rows, c)
      seen[#seen + 1] = c.options.focus .. "/" .. #c.options.people
      c.options.focus = "changed again"
      return C.card(rows, c)
    end
    local options = { focus = "Ada", people = { "Ada", "Lin" } }
    for _ = 1, 2 do -- the host builds ctx afresh for each render, from the same options
      local c = ctx()
      c.options = options
      render.render({ transform = greedy, card = card, dir = "scripts" }, sample(), c, 24000, false)
    end
    assert.same({ "Ada/2", "Ada/2", "Ada/2", "Ada/2" }, seen)
    assert.same({ focus = "Ada", people = { "Ada", "Lin" } }, options)
  end)

  it("gives ctx.previous_rows by id, a copy for each call, empty when the state file has none", function()
    local seen = {}
    local function look(issues, c)
      local r = c.previous_rows["a"]
      seen[#seen + 1] = r and (r.priority .. "@" .. r.rank .. "/" .. r.state.name) or "none"
      if r then r.priority = "changed" end
      return T.transform(issues, c)
    end
    local c = ctx()
    c.previous_rows = { { id = "a", rank = 2, priority = "high", state = { id = "s", name = "En cours", group = "started" } } }
    render.render(scripts(look), sample(), c, 24000, false)
    c = ctx()
    c.previous_rows = {}
    render.render(scripts(look), sample(), c, 24000, false)
    assert.same({ "high@2/En cours", "none" }, seen)
  end)

  it("records each posted row's priority, state and due date as the host prepared them", function()
    local function vandal(issues, c)
      local rows = T.transform(issues, c)
      for _, issue in ipairs(issues) do
        issue.priority, issue.target_date = "none", "1999-01-01"
        issue.state.name = "renamed"
      end
      return rows
    end
    local b = sample()
    local out = render.render(scripts(vandal), b, ctx(), 24000, false)
    local want = {}
    for _, issue in ipairs((states.prepare(sample(), ctx().states))) do want[issue.id] = issue end
    assert.equal(#out.ids, #out.priorities)
    for i, id in ipairs(out.ids) do
      assert.equal(want[id].priority, out.priorities[i])
      local due = want[id].target_date
      assert.equal(type(due) == "string" and due or "", out.target_dates[i])
      assert.is_not.equal("renamed", out.state_names[i])
      assert.is_true(#out.state_groups[i] > 0)
    end
  end)

  it("keeps shared tables shared in a copy, and copies cycles", function()
    local shared = { 1 }
    local t = { a = shared, b = shared }
    t.self = t
    local c = render.copy(t)
    assert.is_not.equal(t, c)
    assert.equal(c.a, c.b)
    assert.is_not.equal(shared, c.a)
    assert.equal(c, c.self)
  end)
end)
