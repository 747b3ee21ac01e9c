-- host/pt/dates.lua: the date module the host gives the scripts (require("pt.dates")).
local D = require("pt.dates")

describe("pt.dates", function()
  it("reads Plane's dates and datetimes: Z, an offset, fractional seconds", function()
    local t = D.parse("2026-11-26")
    assert.same({ 2026, 11, 26, 0, 0, 0 }, { t.year, t.month, t.day, t.hour, t.min, t.sec })
    assert.is_nil(t.offset)
    t = D.parse("2026-11-26T08:30:15.123456Z")
    assert.same({ 8, 30, 15.123456, 0 }, { t.hour, t.min, t.sec, t.offset })
    assert.equal(330, D.parse("2026-11-26T08:30:00+05:30").offset)
    assert.equal(-480, D.parse("2026-11-26T08:30-0800").offset)
    assert.equal(D.parse("2026-11-26").number, D.parse("2026-11-26T23:59:59-12:00").number)
  end)

  it("refuses what is not a real date or not one of those forms", function()
    for _, s in ipairs({ "2026-02-30", "2026-13-01", "2026-11-26T25:00", "2026-11-26T08:30+5:30",
      "26-11-2026", "2026-11-26 junk", "2026-11-26T08:30:15.", "" }) do
      assert.is_nil(D.parse(s), s)
    end
    assert.is_nil(D.parse(20261126))
    assert.truthy(D.parse("2024-02-29"))
    assert.is_nil(D.parse("2100-02-29"))
  end)

  it("counts days between two dates, negative when the second is before", function()
    assert.equal(0, D.day_number("1970-01-01"))
    assert.equal(3, D.days_between("2026-11-26", "2026-11-29"))
    assert.equal(-1, D.days_between("2026-03-01", "2026-02-28"))
    assert.equal(366, D.days_between("2024-01-01", "2025-01-01"))
    assert.is_nil(D.days_between("2026-11-26", "soon"))
  end)

  it("counts business days, skipping Saturdays, Sundays and holidays", function()
    -- Friday 2026-11-27 to Monday 2026-11-30: only the Monday
    assert.equal(1, D.business_days_between("2026-11-27", "2026-11-30"))
    assert.equal(5, D.business_days_between("2026-11-27", "2026-12-04"))
    assert.equal(4, D.business_days_between("2026-11-27", "2026-12-04", { "2026-12-01" }))
    assert.equal(-1, D.business_days_between("2026-11-30", "2026-11-27"))
    assert.equal(0, D.business_days_between("2026-11-28", "2026-11-28"))
  end)

  it("knows weekdays and the digest's local date", function()
    assert.equal(6, D.weekday("2026-11-28")) -- a Saturday
    assert.equal(4, D.weekday(0))
    assert.equal("2026-11-26", D.today({ date = "2026-11-26" }))
    assert.is_nil(D.today({}))
  end)
end)
