import { readFile } from "node:fs/promises";

import { asc, sql } from "drizzle-orm";

import {
  BUNDESBANK_BASE_RATE_URL,
  type BundesbankBaseRates,
  fetchBundesbankBaseRates,
} from "#adapters/bundesbank/client";
import { getEnv } from "#app/config/env.server";
import { type DbOrTx, rowsOf } from "#app/db/client.server";
import { baseRates } from "#app/db/schema";
import { type LocalDate, toLocalDate } from "#app/domain/dates";
import {
  type BaseRateEntry,
  type BaseRateTable,
  baseRateTableSchema,
  BUILT_IN_BASE_RATES,
  knownThrough,
  mergeBaseRates,
} from "#app/domain/dunning/base-rates";
import { logger } from "#app/utils/logger.server";

export class BaseRatesFileError extends Error {
  override name = "BaseRatesFileError";
}

/**
 * Parses the text of a base-rates file: a JSON array of `{ "from": "YYYY-MM-DD", "rateBp": 127 }`. Every problem
 * names the file and the entry (1-based, as people count), so the operator can fix it in one go.
 */
export function parseBaseRatesFile(text: string, file: string): BaseRateTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BaseRatesFileError(`BASE_RATES_FILE ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) {
    throw new BaseRatesFileError(`BASE_RATES_FILE ${file} must be a JSON array of {"from","rateBp"} entries`);
  }
  const entries: unknown[] = json;
  const result = baseRateTableSchema.safeParse(entries);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const [index, field] = issue.path;
      if (typeof index !== "number") return issue.message;
      const entry = entries[index];
      const from = entry && typeof entry === "object" && "from" in entry ? ` (from ${JSON.stringify(entry.from)})` : "";
      return `entry ${index + 1}${from}: ${field === undefined ? "" : `${String(field)} `}${issue.message}`;
    });
    throw new BaseRatesFileError(`BASE_RATES_FILE ${file} is invalid: ${lines.join("; ")}`);
  }
  return result.data;
}

/**
 * The base-rate table for interest: the built-in history plus the entries of `file` (default: BASE_RATES_FILE; null:
 * none). Read on each call, so an operator's new entry applies without a restart. Without a database handle the rates
 * the daily job stored are left out; callers that have one use {@link loadBaseRateTableFrom}.
 */
export async function loadBaseRateTable(
  file: string | null = getEnv().BASE_RATES_FILE ?? null,
): Promise<BaseRateTable> {
  return loadBaseRateTableFrom(null, file);
}

/**
 * The built-in history, overlaid by the rates stored from the Bundesbank (base_rates, the job base-rates.refresh),
 * overlaid by the operator's file: the file is the later, deliberate statement, so it wins over both.
 */
export async function loadBaseRateTableFrom(
  db: DbOrTx | null,
  file: string | null = getEnv().BASE_RATES_FILE ?? null,
): Promise<BaseRateTable> {
  const stored = db ? await storedBaseRates(db) : [];
  const withStored = stored.length > 0 ? mergeBaseRates(BUILT_IN_BASE_RATES, stored) : BUILT_IN_BASE_RATES;
  if (file === null) return withStored;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BaseRatesFileError(`BASE_RATES_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  return mergeBaseRates(withStored, parseBaseRatesFile(text, file));
}

let unreadableWarned = false;

/**
 * The rates stored by the daily job, oldest first. Request code reads them inside a tenant scope: the migration grants
 * the tenant role SELECT, but a role an administrator created later has no grant (mahnwerk_fence_tenant_tables grants
 * shop tables only). The privilege is checked first, because a refused query would abort the caller's transaction;
 * without it the stored rates are left out (the shipped table and the file still apply) and one warning says why.
 */
export async function storedBaseRates(db: DbOrTx): Promise<BaseRateTable> {
  const [check] = rowsOf<{ readable: boolean }>(
    await db.execute(
      sql`select coalesce(has_table_privilege(to_regclass('public.base_rates'), 'SELECT'), false) as readable`,
    ),
  );
  if (!check?.readable) {
    if (!unreadableWarned) {
      unreadableWarned = true;
      logger.warn(
        "base_rates cannot be read here (missing table or SELECT grant): the rates stored from the Bundesbank are left out; GRANT SELECT ON base_rates TO mahnwerk_tenant",
      );
    }
    return [];
  }
  return db.select({ from: baseRates.from, rateBp: baseRates.rateBp }).from(baseRates).orderBy(asc(baseRates.from));
}

export type BaseRateStatus = { knownThrough: string | null; current: boolean; error: string | null };

/**
 * Whether the table covers today (Berlin: the rate is German law's). When it does not, interest is computed only
 * through `knownThrough` and the operator is told: /healthz, a banner in the tab, a log line per reminder. With `db`,
 * the rates stored from the Bundesbank count too.
 */
export async function baseRateStatus(now: Date, file?: string | null, db?: DbOrTx): Promise<BaseRateStatus> {
  try {
    const through = knownThrough(await loadBaseRateTableFrom(db ?? null, file));
    return {
      knownThrough: through,
      current: through !== null && toLocalDate(now, "Europe/Berlin") <= through,
      error: null,
    };
  } catch (error) {
    return { knownThrough: null, current: false, error: (error as Error).message };
  }
}

/** The table changes at most once a day (the job, or the operator's file); the tab asks on every page. */
const STATUS_TTL_MS = 60_000;
let cachedStatus: { at: number; status: BaseRateStatus } | null = null;

/** baseRateStatus for the tab's banner, read at most once a minute per process. */
export async function recentBaseRateStatus(db: DbOrTx, now: Date = new Date()): Promise<BaseRateStatus> {
  if (cachedStatus && now.getTime() - cachedStatus.at < STATUS_TTL_MS && now.getTime() >= cachedStatus.at)
    return cachedStatus.status;
  const status = await baseRateStatus(now, undefined, db);
  cachedStatus = { at: now.getTime(), status };
  return status;
}

export type BaseRateRefresh =
  | {
      ok: true;
      source: string;
      /** Half-years stored for the first time. */
      added: BaseRateEntry[];
      /** Half-years whose stored rate the Bundesbank now states differently. */
      changed: { from: LocalDate; wasBp: number; rateBp: number }[];
      unchanged: number;
      /** Fetched rates that differ from the shipped table (they win over it; worth a look and a release). */
      differFromBuiltIn: { from: LocalDate; builtInBp: number; rateBp: number }[];
      /** What the answer held that could not be used, with why. */
      rejected: string[];
      /** The last day the merged table (built-in, stored, file) now covers. */
      knownThrough: LocalDate | null;
    }
  | { ok: false; source: string; error: string };

/**
 * Reads the base rate from the Bundesbank and stores the half-years that are new or changed. On any failure nothing
 * is written: the table stays as it was, and interest keeps using it, the shipped table and BASE_RATES_FILE.
 */
export async function refreshBaseRates(
  db: DbOrTx,
  options: { now: Date; url?: string; fetchRates?: () => Promise<BundesbankBaseRates> },
): Promise<BaseRateRefresh> {
  const source = options.url ?? BUNDESBANK_BASE_RATE_URL;
  let fetched: BundesbankBaseRates;
  try {
    fetched = await (options.fetchRates ?? (() => fetchBundesbankBaseRates({ url: source })))();
  } catch (error) {
    return { ok: false, source, error: (error as Error).message };
  }
  const stored = new Map((await storedBaseRates(db)).map((e) => [e.from, e.rateBp]));
  const builtIn = new Map(BUILT_IN_BASE_RATES.map((e) => [e.from, e.rateBp]));
  const added: BaseRateEntry[] = [];
  const changed: { from: LocalDate; wasBp: number; rateBp: number }[] = [];
  const differFromBuiltIn: { from: LocalDate; builtInBp: number; rateBp: number }[] = [];
  for (const entry of fetched.entries) {
    const was = stored.get(entry.from);
    if (was === undefined) added.push(entry);
    else if (was !== entry.rateBp) changed.push({ from: entry.from, wasBp: was, rateBp: entry.rateBp });
    const shipped = builtIn.get(entry.from);
    if (shipped !== undefined && shipped !== entry.rateBp)
      differFromBuiltIn.push({ from: entry.from, builtInBp: shipped, rateBp: entry.rateBp });
  }
  const writes = [...added, ...changed];
  if (writes.length > 0) {
    await db
      .insert(baseRates)
      .values(writes.map((e) => ({ from: e.from, rateBp: e.rateBp, source, fetchedAt: options.now })))
      .onConflictDoUpdate({
        target: baseRates.from,
        set: { rateBp: sql`excluded.rate_bp`, source: sql`excluded.source`, fetchedAt: sql`excluded.fetched_at` },
      });
  }
  let through: LocalDate | null;
  try {
    through = knownThrough(await loadBaseRateTableFrom(db));
  } catch {
    // A broken BASE_RATES_FILE is reported by /healthz and the tab; the stored rates stand on their own here.
    through = knownThrough(await loadBaseRateTableFrom(db, null));
  }
  return {
    ok: true,
    source,
    added,
    changed,
    unchanged: fetched.entries.length - writes.length,
    differFromBuiltIn,
    rejected: fetched.rejected,
    knownThrough: through,
  };
}
