import { describe, expect, test } from "vitest";

import { zonedTime } from "../dates";
import {
  addWorkingDays,
  earliestAfterDeadline,
  isKnownHolidayRegion,
  nextWorkingDayFrom,
  paymentDeadline,
  workingCalendar,
} from "./deadlines";
import { stepInstant } from "./schedule";

const DE = workingCalendar("DE");
const BY = workingCalendar("DE", "BY");

describe("§ 193 BGB: a deadline on a Saturday, Sunday or public holiday moves to the next working day", () => {
  test.each([
    // sent on, days, calendar, deadline, why
    ["2026-11-23", 14, DE, "2026-12-07", "a Monday stays"],
    ["2026-11-24", 11, DE, "2026-12-07", "Saturday 5 December → Monday"],
    ["2026-11-29", 7, DE, "2026-12-07", "Sunday 6 December → Monday"],
    ["2026-12-10", 14, DE, "2026-12-24", "Christmas Eve is a working day"],
    ["2026-12-11", 14, DE, "2026-12-28", "Christmas Day (Fri), Boxing Day (Sat), Sunday → Monday 28"],
    ["2026-03-20", 14, DE, "2026-04-07", "Good Friday, the weekend and Easter Monday → Tuesday"],
    ["2026-12-18", 14, DE, "2027-01-04", "New Year's Day (Fri) and the weekend → Monday"],
    ["2026-05-21", 14, DE, "2026-06-04", "Corpus Christi is no national holiday"],
    ["2026-05-21", 14, BY, "2026-06-05", "… but in Bavaria it is"],
    ["2026-03-15", 14, DE, "2026-03-30", "Sunday 29 March, the day clocks change → Monday"],
  ] as const)("sent %s, %i days (%s) → %s: %s", (sentOn, days, calendar, deadline, _why) => {
    expect(paymentDeadline(sentOn, days, calendar)).toBe(deadline);
  });

  test("a working day is its own next working day", () => {
    expect(nextWorkingDayFrom("2026-12-08", DE)).toBe("2026-12-08");
  });
});

describe("the next step waits for the day after the deadline plus a grace of working days", () => {
  test.each([
    ["2026-12-11", 0, "2026-12-12", "no grace: the day after, even a Saturday (no deadline is set for it)"],
    ["2026-12-11", 3, "2026-12-16", "Friday + 3 working days: Mon, Tue, Wed"],
    ["2026-12-23", 3, "2026-12-29", "over Christmas: 24th, then Mon 28th and Tue 29th"],
    ["2026-04-02", 1, "2026-04-07", "Maundy Thursday + 1 working day: after Easter Monday"],
  ] as const)("deadline %s, grace %i → %s (%s)", (deadline, grace, earliest, _why) => {
    expect(earliestAfterDeadline(deadline, grace, DE)).toBe(earliest);
  });

  test("the step runs at the start of the send window in the shop's zone, also on the day clocks change", () => {
    const day = earliestAfterDeadline("2026-03-27", 0, DE);
    expect(day).toBe("2026-03-28");
    expect(addWorkingDays("2026-03-27", 1, DE)).toBe("2026-03-30");
    // 08:00 in Berlin on Monday 30 March (summer time, UTC+2) and on Saturday 28 March (winter time, UTC+1).
    expect(
      stepInstant("2026-03-30", { startHour: 8, endHour: 20, skipSundays: false }, "Europe/Berlin").toISOString(),
    ).toBe("2026-03-30T06:00:00.000Z");
    expect(stepInstant(day, { startHour: 8, endHour: 20, skipSundays: false }, "Europe/Berlin")).toEqual(
      zonedTime("2026-03-28", 8, 0, "Europe/Berlin"),
    );
    expect(zonedTime("2026-03-28", 8, 0, "Europe/Berlin").toISOString()).toBe("2026-03-28T07:00:00.000Z");
  });
});

test("holiday regions: countries and German federal states date-holidays knows", () => {
  expect(isKnownHolidayRegion("DE", null)).toBe(true);
  expect(isKnownHolidayRegion("DE", "BY")).toBe(true);
  expect(isKnownHolidayRegion("DE", "XX")).toBe(false);
  expect(isKnownHolidayRegion("ZZ", null)).toBe(false);
  expect(workingCalendar("AT").isWorkingDay("2026-12-08")).toBe(false);
});
