/**
 * Calendar dates in a shop's time zone, with Intl only. A LocalDate is "YYYY-MM-DD" (no zone); an instant is a
 * Date (UTC). Due dates are LocalDates; "overdue" is decided by converting them back to instants in the zone.
 */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function parts(instant: Date, timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The calendar date of an instant in a zone. */
export function toLocalDate(instant: Date, timeZone: string): LocalDate {
  const p = parts(instant, timeZone);
  return `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

export function localTimeOfDay(instant: Date, timeZone: string): { hour: number; minute: number; weekday: number } {
  const p = parts(instant, timeZone);
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
  return { hour: p.hour, minute: p.minute, weekday };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const m = LOCAL_DATE.exec(date);
  if (!m) throw new RangeError(`not a LocalDate: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Offset of the zone from UTC at an instant, in minutes (Berlin summer: +120). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant at which a wall-clock time happens in a zone. In a DST gap (02:30 on the spring-forward day in
 * Berlin) the time does not exist and is read with the offset before the gap (→ 03:30 summer time); in an
 * overlap (02:30 on the fall-back day) the earlier instant is taken. Same rule as Temporal's "compatible".
 */
export function zonedTime(date: LocalDate, hour: number, minute: number, timeZone: string): Date {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, hour, minute);
  const before = wall - offsetMinutes(new Date(wall - 12 * 3_600_000), timeZone) * 60_000;
  const after = wall - offsetMinutes(new Date(wall + 12 * 3_600_000), timeZone) * 60_000;
  const matches = (t: number) => {
    const local = localTimeOfDay(new Date(t), timeZone);
    return toLocalDate(new Date(t), timeZone) === date && local.hour === hour && local.minute === minute;
  };
  const valid = [before, after].filter(matches);
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/** First instant of a local day. */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  return zonedTime(date, 0, 0, timeZone);
}

/** Last millisecond of a local day (a due date is paid in time until then). */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  return new Date(startOfLocalDay(addDays(date, 1), timeZone).getTime() - 1);
}
