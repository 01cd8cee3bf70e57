import { z } from "zod";

import { addDays, isLocalDate, type LocalDate } from "#app/domain/dates";

/**
 * The Bundesbank base rate (Basiszinssatz, §247 BGB) as a dated table. Each entry holds from its date until the next
 * entry. Rates are integer basis points (127 = 1.27 %), so no float ever enters interest maths.
 */
export type BaseRateEntry = { from: LocalDate; rateBp: number };
export type BaseRateTable = readonly BaseRateEntry[];

/**
 * Shipped history. -0.88 % held unchanged from 1 July 2016 to 31 December 2022; the table starts at 2020-01-01
 * because older claims are time-barred (§195, §199 BGB). The daily job base-rates.refresh adds the Bundesbank's later
 * half-years (app/services/dunning/base-rates.server.ts); an operator can add or correct entries through BASE_RATES_FILE.
 */
export const BUILT_IN_BASE_RATES: BaseRateTable = [
  { from: "2020-01-01", rateBp: -88 },
  { from: "2023-01-01", rateBp: 162 },
  { from: "2023-07-01", rateBp: 312 },
  { from: "2024-01-01", rateBp: 362 },
  { from: "2024-07-01", rateBp: 337 },
  { from: "2025-01-01", rateBp: 227 },
  { from: "2025-07-01", rateBp: 127 },
  { from: "2026-01-01", rateBp: 127 },
];

export const baseRateEntrySchema = z.object({
  from: z
    .string()
    .refine(isLocalDate, { message: "must be a date as YYYY-MM-DD", abort: true })
    // §247 Abs. 1 BGB: the rate changes only on 1 January and 1 July; any other date is a typo.
    .refine((d) => /-(01|07)-01$/.test(d), {
      message: "must be 1 January or 1 July (§247 BGB changes the rate only then)",
    }),
  rateBp: z
    .number()
    .int({ message: "must be whole basis points (1.27 % = 127)" })
    .min(-1_000, { message: "must be between -1000 and 1500 basis points" })
    .max(1_500, { message: "must be between -1000 and 1500 basis points" }),
});

export const baseRateTableSchema = z.array(baseRateEntrySchema).superRefine((entries, ctx) => {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const earlier = seen.get(entry.from);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [index, "from"],
        message: `repeats ${entry.from} (also entry ${earlier + 1})`,
      });
    }
    seen.set(entry.from, index);
  });
});

/**
 * The built-in table extended by an operator's entries, sorted by date. An extra entry on a date the built-in table
 * already has replaces it: the operator's file is the later, deliberate statement (e.g. correcting an entry).
 */
export function mergeBaseRates(builtIn: BaseRateTable, extra: BaseRateTable): BaseRateTable {
  const byDate = new Map<LocalDate, BaseRateEntry>();
  for (const entry of builtIn) byDate.set(entry.from, { from: entry.from, rateBp: entry.rateBp });
  for (const entry of extra) byDate.set(entry.from, { from: entry.from, rateBp: entry.rateBp });
  return [...byDate.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

function sorted(table: BaseRateTable): BaseRateTable {
  return [...table].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

/**
 * Last day the table is known for: the end of the half-year of its last entry. The Bundesbank publishes each
 * half-year's rate, so a date after that would silently reuse a possibly outdated rate; it is unknown instead.
 */
export function knownThrough(table: BaseRateTable): LocalDate | null {
  const last = sorted(table).at(-1);
  if (!last) return null;
  const [year, month] = last.from.split("-").map(Number) as [number, number];
  const nextHalf = month < 7 ? `${year}-07-01` : `${String(year + 1).padStart(4, "0")}-01-01`;
  return addDays(nextHalf, -1);
}

/** The base rate in basis points on a day; null before the first entry or after {@link knownThrough}. */
export function rateOn(table: BaseRateTable, date: LocalDate): number | null {
  const through = knownThrough(table);
  if (through === null || date > through) return null;
  let rate: number | null = null;
  for (const entry of sorted(table)) {
    if (entry.from > date) break;
    rate = entry.rateBp;
  }
  return rate;
}
