-- The host's check of every card before it is sent: Adaptive Card 1.2 elements and
-- properties only (the generated rules of host/card_rules.lua), plus what Teams
-- webhooks refuse. A card Teams cannot show is answered with 202 all the same and
-- then silently dropped, so a broken card.lua must fail here, loudly, instead.
local cjson = require("cjson")
local RULES = require("card_rules")

local K = {}

local null = cjson.null

-- The card root may carry the Teams extension and the $schema marker.
local ROOT_EXTRA = { msteams = true, ["$schema"] = true }
local TEAMS_REFUSES = { ["Action.Submit"] = "Action.Submit does not work in Teams webhook cards" }

-- A table whose keys are exactly 1..n (an empty table is a list). Raw: a metatable does
-- not change the answer.
local function is_list(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for _ in next, t do n = n + 1 end
  return n == rawlen(t)
end
K.is_list = is_list

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local check_value

local function check_element(node, allowed, path)
  if type(node) ~= "table" or is_list(node) then
    return path .. ": expected an element object"
  end
  local t = node.type
  if type(t) ~= "string" then return path .. ": an element without a type" end
  if TEAMS_REFUSES[t] then return path .. ": " .. TEAMS_REFUSES[t] end
  local rule = RULES[t]
  if not rule then return string.format('%s: unknown element type "%s" in Adaptive Card 1.2', path, t) end
  if allowed then
    local ok = false
    for _, a in ipairs(allowed) do ok = ok or a == t end
    if not ok then return string.format('%s: a %s is not allowed here', path, t) end
  end
  for _, k in ipairs(sorted_keys(node)) do
    if k ~= "type" and not (t == "AdaptiveCard" and ROOT_EXTRA[k]) then
      local spec = rule.props[k]
      if not spec then
        return string.format('%s: %s has no property "%s" in Adaptive Card 1.2', path, t, tostring(k))
      end
      local err = check_value(node[k], spec, path .. "." .. k)
      if err then return err end
    end
  end
  for _, r in ipairs(rule.required) do
    if node[r] == nil then return string.format('%s: %s needs "%s"', path, t, r) end
  end
  return nil
end

local JSON_TYPE = { string = "string", boolean = "boolean", number = "number", object = "table" }

function check_value(v, spec, path)
  if spec.any then return nil end
  if spec.t then
    if spec.t == "null" then return v == null and nil or path .. ": expected null" end
    if spec.t == "object" and type(v) == "table" and (next(v) == nil or not is_list(v)) then return nil end
    if type(v) ~= JSON_TYPE[spec.t] then return string.format("%s: expected a %s", path, spec.t) end
    return nil
  end
  if spec.enum then
    if type(v) == "string" then
      local low = v:lower()
      for _, e in ipairs(spec.enum) do
        if e == low then return nil end
      end
    end
    return string.format('%s: "%s" is not one of %s', path, tostring(v), table.concat(spec.enum, ", "))
  end
  if spec.types then return check_element(v, spec.types, path) end
  if spec.array then
    if not is_list(v) then return path .. ": expected a list" end
    for i, item in ipairs(v) do
      local err = check_value(item, spec.array, string.format("%s[%d]", path, i))
      if err then return err end
    end
    return nil
  end
  if spec.anyof then
    local first
    for _, alt in ipairs(spec.anyof) do
      local err = check_value(v, alt, path)
      if not err then return nil end
      -- prefer the explanation of the alternative that has the value's element type
      if alt.types and type(v) == "table" and type(v.type) == "string" then return err end
      first = first or err
    end
    return first
  end
  return nil
end

-- The texts of every TextBlock of the card (where Teams reads a mention's <at> text).
local function textblock_texts(node, out)
  if type(node) ~= "table" then return out end
  if node.type == "TextBlock" and type(node.text) == "string" then out[#out + 1] = node.text end
  for _, k in ipairs(sorted_keys(node)) do
    if k ~= "msteams" then textblock_texts(node[k], out) end
  end
  return out
end

local ENTITY_KEYS = { type = true, text = true, mentioned = true }
local MENTIONED_KEYS = { id = true, name = true }

local function unknown_key(t, allowed)
  for k in pairs(t) do
    if not allowed[k] then return tostring(k) end
  end
  return nil
end

-- One msteams.entities entry: {type = "mention", text = "<at>Name</at>", mentioned = {id, name}},
-- nothing else; its text must appear verbatim in a TextBlock (a TextRun is not read).
local function check_entity(e, path, texts)
  if type(e) ~= "table" or (is_list(e) and next(e) ~= nil) then return path .. ": expected an object" end
  local k = unknown_key(e, ENTITY_KEYS)
  if k then
    return string.format('%s: unknown property "%s" (a mention has type, text, mentioned)', path, k)
  end
  if e.type ~= "mention" then return path .. '.type: expected "mention"' end
  local text = e.text
  if type(text) ~= "string" or not text:match("^<at>.+</at>$")
    or text:find("</at>", 1, true) ~= #text - 4 or text:find("<at>", 2, true) then
    return path .. ".text: expected one <at>Name</at>"
  end
  local m = e.mentioned
  if type(m) ~= "table" or (is_list(m) and next(m) ~= nil) then
    return path .. ".mentioned: expected an object"
  end
  k = unknown_key(m, MENTIONED_KEYS)
  if k then return string.format('%s.mentioned: unknown property "%s" (expected id, name)', path, k) end
  if type(m.id) ~= "string" or m.id == "" then
    return path .. ".mentioned.id: expected a UPN or an Entra object id"
  end
  if type(m.name) ~= "string" or m.name == "" then return path .. ".mentioned.name: expected a name" end
  for _, t in ipairs(texts) do
    if t:find(text, 1, true) then return nil end
  end
  return path .. ".text: appears in no TextBlock (Teams reads mentions only there, verbatim)"
end

-- The card's Teams extension: width, and mentions in entities.
function K.check_msteams(card)
  local ms = card.msteams
  if ms == nil then return nil end
  if type(ms) ~= "table" or (is_list(ms) and next(ms) ~= nil) then
    return "card.msteams: expected an object"
  end
  for _, k in ipairs(sorted_keys(ms)) do
    if k ~= "width" and k ~= "entities" then
      return string.format('card.msteams: unknown property "%s"', tostring(k))
    end
  end
  if ms.entities == nil then return nil end
  if not is_list(ms.entities) then return "card.msteams.entities: expected a list" end
  local texts = textblock_texts(card.body, {})
  for i, e in ipairs(ms.entities) do
    local err = check_entity(e, string.format("card.msteams.entities[%d]", i), texts)
    if err then return err end
  end
  return nil
end

-- nil when the card is fine, else "path: what is wrong".
function K.check(card)
  if type(card) ~= "table" then return "card: not a table" end
  if card.type ~= "AdaptiveCard" then return 'card.type: expected "AdaptiveCard"' end
  if card.version ~= "1.2" then
    return string.format('card.version: "%s", expected "1.2" (what Teams webhooks show everywhere)',
      tostring(card.version))
  end
  local err = K.check_msteams(card)
  if err then return err end
  return check_element(card, nil, "card")
end

return K
