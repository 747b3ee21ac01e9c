-- pt.dates: dates as Plane writes them, for the host and for the scripts
-- (`local dates = require("pt.dates")`). Pure functions: no clock, no time zone of the
-- machine; "today" is the digest's local date, ctx.date. Read-only in the scripts.
--
--   dates.parse(s)           -> {year, month, day, hour, min, sec, offset, number}
--   dates.day_number(v)      -> days since 1970-01-01 of a date, or nil
--   dates.weekday(v)         -> 0 (Sunday) .. 6 (Saturday), or nil
--   dates.today(ctx)         -> the digest's local date "YYYY-MM-DD" (ctx.date), or nil
--   dates.days_between(a, b) -> whole days from a to b (negative when b is before a)
--   dates.business_days_between(a, b, holidays) -> days from a to b that are neither a
--                               Saturday, a Sunday nor one of holidays ("YYYY-MM-DD")
--
-- A date is "YYYY-MM-DD", or a datetime "YYYY-MM-DDTHH:MM[:SS[.fraction]]" with "Z" or an
-- offset (+05:30, -0800) or neither; a datetime counts as the date it is written with.
-- Functions that take a date also take its day number (an integer).
local D = {}

local function is_leap(y) return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) end

local MONTH_DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function month_days(y, m)
  if m == 2 and is_leap(y) then return 29 end
  return MONTH_DAYS[m]
end

-- Days since 1970-01-01 of a proleptic Gregorian date.
function D.from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

-- The time part after the date: "" or "THH:MM[:SS[.f]][Z|±HH[:]MM]" (or a space for T).
local function parse_time(rest, t)
  if rest == "" then return t end
  local hh, mm, tail = rest:match("^[T ](%d%d):(%d%d)(.*)$")
  if not hh then return nil end
  t.hour, t.min = tonumber(hh), tonumber(mm)
  local ss, frac, zone = tail:match("^:(%d%d)(%.?%d*)(.*)$")
  if ss then
    if frac == "." then return nil end
    t.sec = tonumber(ss .. frac)
  else
    zone = tail
  end
  if zone == "Z" then
    t.offset = 0
  elseif zone ~= "" then
    local sign, oh, om = zone:match("^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil end
    t.offset = (tonumber(oh) * 60 + tonumber(om)) * (sign == "-" and -1 or 1)
    if tonumber(oh) > 23 or tonumber(om) > 59 then return nil end
  end
  if t.hour > 23 or t.min > 59 or t.sec >= 61 then return nil end
  return t
end

-- s as a table: year, month, day, hour, min, sec (0 when absent; sec may have a
-- fraction), offset (minutes east of UTC; nil when s gives none) and number (the day
-- number of its date). nil when s is not a date or datetime of those forms, or not a real date.
function D.parse(s)
  if type(s) ~= "string" then return nil end
  local y, m, d, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > month_days(y, m) then return nil end
  local t = parse_time(rest, { year = y, month = m, day = d, hour = 0, min = 0, sec = 0 })
  if not t then return nil end
  t.number = D.from_civil(y, m, d)
  return t
end

function D.day_number(v)
  if math.type(v) == "integer" then return v end
  local t = D.parse(v)
  return t and t.number or nil
end

function D.weekday(v)
  local n = D.day_number(v)
  return n and (n + 4) % 7 or nil -- 1970-01-01 was a Thursday
end

function D.today(ctx)
  local date = type(ctx) == "table" and ctx.date or nil
  return D.parse(date) and date or nil
end

function D.days_between(a, b)
  local x, y = D.day_number(a), D.day_number(b)
  if not x or not y then return nil end
  return y - x
end

local function business(n, off)
  local w = (n + 4) % 7
  return w ~= 0 and w ~= 6 and not off[n]
end

-- Counts the days after a up to b included (so 0 from a day to itself), negative when b
-- is before a.
function D.business_days_between(a, b, holidays)
  local x, y = D.day_number(a), D.day_number(b)
  if not x or not y then return nil end
  local off = {}
  for _, h in ipairs(holidays or {}) do
    local n = D.day_number(h)
    if n then off[n] = true end
  end
  local sign = 1
  if y < x then x, y, sign = y, x, -1 end
  local count = 0
  for n = x + 1, y do
    if business(n, off) then count = count + 1 end
  end
  return sign * count
end

return D
