import { describe, expect, test } from "vitest";

import {
  addDays,
  daysBetween,
  endOfLocalDay,
  isLocalDate,
  isValidTimeZone,
  localTimeOfDay,
  startOfLocalDay,
  toLocalDate,
  zonedTime,
} from "./dates";

describe("dates in a time zone", () => {
  test("the local date of an instant", () => {
    expect(toLocalDate(new Date("2026-03-28T23:30:00Z"), "Europe/Berlin")).toBe("2026-03-29");
    expect(toLocalDate(new Date("2026-03-28T23:30:00Z"), "America/Los_Angeles")).toBe("2026-03-28");
    expect(toLocalDate(new Date("2026-03-28T15:30:00Z"), "Asia/Tokyo")).toBe("2026-03-29");
    expect(toLocalDate(new Date("2026-09-26T12:00:00Z"), "Pacific/Auckland")).toBe("2026-09-27");
  });

  test.each([
    // Berlin spring forward 2026-03-29 (23 h day), fall back 2026-10-25 (25 h day)
    ["2026-03-29", "Europe/Berlin", "2026-03-28T23:00:00.000Z", "2026-03-29T21:59:59.999Z"],
    ["2026-10-25", "Europe/Berlin", "2026-10-24T22:00:00.000Z", "2026-10-25T22:59:59.999Z"],
    ["2026-06-15", "Europe/Berlin", "2026-06-14T22:00:00.000Z", "2026-06-15T21:59:59.999Z"],
    ["2026-03-08", "America/Los_Angeles", "2026-03-08T08:00:00.000Z", "2026-03-09T06:59:59.999Z"],
    ["2026-11-01", "America/Los_Angeles", "2026-11-01T07:00:00.000Z", "2026-11-02T07:59:59.999Z"],
    ["2026-07-01", "Asia/Tokyo", "2026-06-30T15:00:00.000Z", "2026-07-01T14:59:59.999Z"],
    ["2026-04-05", "Pacific/Auckland", "2026-04-04T11:00:00.000Z", "2026-04-05T11:59:59.999Z"],
    ["2026-09-27", "Pacific/Auckland", "2026-09-26T12:00:00.000Z", "2026-09-27T10:59:59.999Z"],
  ])("%s in %s runs from %s to %s", (date, zone, start, end) => {
    expect(startOfLocalDay(date, zone).toISOString()).toBe(start);
    expect(endOfLocalDay(date, zone).toISOString()).toBe(end);
    expect(toLocalDate(startOfLocalDay(date, zone), zone)).toBe(date);
    expect(toLocalDate(endOfLocalDay(date, zone), zone)).toBe(date);
  });

  test("wall-clock times across DST: a time in the gap moves past it; an ambiguous one takes the earlier instant", () => {
    expect(zonedTime("2026-03-29", 2, 30, "Europe/Berlin").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedTime("2026-10-25", 2, 30, "Europe/Berlin").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedTime("2026-06-15", 8, 0, "Europe/Berlin").toISOString()).toBe("2026-06-15T06:00:00.000Z");
    expect(localTimeOfDay(new Date("2026-06-14T10:00:00Z"), "Europe/Berlin")).toEqual({
      hour: 12,
      minute: 0,
      weekday: 0,
    });
  });

  test("calendar arithmetic", () => {
    expect(addDays("2026-12-28", 5)).toBe("2027-01-02");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(isLocalDate("2026-02-30")).toBe(false);
    expect(isLocalDate("2026-02-28")).toBe(true);
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });
});
