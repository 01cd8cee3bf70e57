import Holidays from "date-holidays";

import { addDays, type LocalDate } from "../dates";

/**
 * Deadlines as German law counts them (docs/dunning-and-the-law.md). A reminder's deadline is the last day to pay;
 * when it falls on a Saturday, Sunday or a public holiday at the place of performance it moves to the next working
 * day (§ 193 BGB). The next step waits for the day after the deadline plus a grace of working days, so that a transfer
 * made on the last day has arrived before anyone is reminded again or handed to a collection partner.
 */
export type WorkingCalendar = {
  /** Where the holidays come from: "DE", or "DE-BY" with a federal state. */
  region: string;
  isWorkingDay(date: LocalDate): boolean;
};

const calendars = new Map<string, WorkingCalendar>();

/**
 * Saturdays, Sundays and the public holidays of `country` (and, in Germany, of the federal `state`, e.g. "BY") are not
 * working days. Holidays come from date-holidays; only its type "public" counts (bank holidays and observances do not
 * move a statutory deadline).
 */
export function workingCalendar(country: string, state: string | null = null): WorkingCalendar {
  const region = state ? `${country}-${state}` : country;
  const cached = calendars.get(region);
  if (cached) return cached;
  const source = state ? new Holidays(country, state) : new Holidays(country);
  const byYear = new Map<number, Set<LocalDate>>();
  const holidaysOf = (year: number): Set<LocalDate> => {
    let days = byYear.get(year);
    if (!days) {
      days = new Set(
        source
          .getHolidays(year)
          .filter((h) => h.type === "public")
          .map((h) => h.date.slice(0, 10)),
      );
      byYear.set(year, days);
    }
    return days;
  };
  const calendar: WorkingCalendar = {
    region,
    isWorkingDay(date) {
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      return weekday !== 0 && weekday !== 6 && !holidaysOf(Number(date.slice(0, 4))).has(date);
    },
  };
  calendars.set(region, calendar);
  return calendar;
}

/** The countries and German federal states a shop can pick (date-holidays knows them). */
export function isKnownHolidayRegion(country: string, state: string | null): boolean {
  // Settings are validated on every read; building the library's lists each time cost more than the read itself.
  const states = knownStates(country);
  if (!states) return false;
  return !state || states.has(state);
}

const regions = new Map<string, Set<string> | null>();
function knownStates(country: string): Set<string> | null {
  if (!regions.has(country)) {
    const holidays = new Holidays();
    regions.set(
      country,
      holidays.getCountries()[country] ? new Set(Object.keys(holidays.getStates(country) ?? {})) : null,
    );
  }
  return regions.get(country)!;
}

/** § 193 BGB: a last day that is not a working day moves to the next working day. */
export function nextWorkingDayFrom(date: LocalDate, calendar: WorkingCalendar): LocalDate {
  let day = date;
  // Never more than a long weekend with holidays around it; the bound only guards against a broken calendar.
  for (let i = 0; i < 14 && !calendar.isWorkingDay(day); i++) day = addDays(day, 1);
  return day;
}

/** The `n`-th working day after `date` (0: `date` itself). */
export function addWorkingDays(date: LocalDate, n: number, calendar: WorkingCalendar): LocalDate {
  let day = date;
  for (let left = n; left > 0;) {
    day = addDays(day, 1);
    if (calendar.isWorkingDay(day)) left -= 1;
  }
  return day;
}

/** The deadline a reminder sent on `sentOn` prints: `days` later, moved to a working day (§ 193 BGB). */
export function paymentDeadline(sentOn: LocalDate, days: number, calendar: WorkingCalendar): LocalDate {
  return nextWorkingDayFrom(addDays(sentOn, days), calendar);
}

/**
 * The first day the next step may run after a deadline: the day after it, or — with a grace for bank transfers —
 * the `graceWorkingDays`-th working day after it.
 */
export function earliestAfterDeadline(
  deadline: LocalDate,
  graceWorkingDays: number,
  calendar: WorkingCalendar,
): LocalDate {
  return graceWorkingDays <= 0 ? addDays(deadline, 1) : addWorkingDays(deadline, graceWorkingDays, calendar);
}
