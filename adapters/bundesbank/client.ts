// The base rate (Basiszinssatz, § 247 BGB) from the Deutsche Bundesbank's statistics API (SDMX web service).
//
// Series: BBIN1.M.DE.BBK.BBKBAS2.EUR.ME, "Base rate as per Civil Code / End of month / SU0115" (SU0115 is its old
// BBK01 code), listed with exactly that key and title under "Discount rate, lombard rate and base rate" at
// https://www.bundesbank.de/en/statistics/money-and-capital-markets/interest-rates-and-yields/discount-rate-lombard-rate-and-base-rate-651504
// Endpoint: GET https://api.statistiken.bundesbank.de/rest/data/{flowRef}/{key}, documented at
// https://www.bundesbank.de/en/statistics/time-series-databases/help-for-sdmx-web-service/web-service-interface-data
// (return formats BBK-CSV, SDMX-CSV, SDMX-ML 2.1, SDMX-JSON). We ask for SDMX-ML 2.1 generic data, the standard
// format whose shape (message:GenericData > message:DataSet > generic:Series > generic:Obs with generic:ObsDimension
// and generic:ObsValue) the published CRAN client `bbk` (R/bbk.R, parse_bbk_data) reads from the same endpoint.
//
// The host is fixed (no merchant chooses it), so a plain fetch with a deadline and a size cap is enough; the outbound
// guard (adapters/http/outbound.ts) is for addresses from outside.
import { z } from "zod";

import { type BaseRateEntry, baseRateEntrySchema } from "#app/domain/dunning/base-rates";

export const BUNDESBANK_BASE_RATE_URL = "https://api.statistiken.bundesbank.de/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME";

/** SDMX-ML 2.1 generic data (the SDMX media type; version pinned so a future default cannot change the shape). */
export const SDMX_GENERIC_DATA = "application/vnd.sdmx.genericdata+xml;version=2.1";

/** The shipped table starts in 2020 (older claims are time-barred); fewer months, a smaller answer. */
const DEFAULT_START_PERIOD = "2020-01";
const DEFAULT_TIMEOUT_MS = 10_000;
/** The whole monthly series since 1999 is well under 200 kB; anything near a megabyte is not this series. */
const DEFAULT_MAX_BYTES = 1024 * 1024;

export class BundesbankError extends Error {
  override name = "BundesbankError";
}

export type BundesbankOptions = {
  /** The series URL (BASE_RATES_URL); default {@link BUNDESBANK_BASE_RATE_URL}. */
  url?: string;
  /** First month asked for, YYYY-MM (the SDMX startPeriod parameter). */
  startPeriod?: string;
  timeoutMs?: number;
  maxBytes?: number;
};

export type BundesbankBaseRates = {
  /** One entry per half-year (1 January, 1 July) the answer covers, oldest first; each passed baseRateEntrySchema. */
  entries: BaseRateEntry[];
  /** Observations or half-years left out, with why (an unusable value, months of one half-year that disagree). */
  rejected: string[];
};

/** One observation as the answer states it: the month (YYYY-MM) and the rate in percent as text ("1.27"). */
const observationSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month as YYYY-MM"),
  value: z.string().regex(/^-?\d{1,2}(\.\d{1,4})?$/, "must be a rate in percent such as 1.27"),
});

/** "1.27" → 127, "-0.88" → -88; null when it is not a whole number of basis points. No float is involved. */
export function percentToBasisPoints(value: string): number | null {
  const match = /^(-?)(\d{1,2})(?:\.(\d{1,4}))?$/.exec(value);
  if (!match) return null;
  const fraction = (match[3] ?? "").padEnd(4, "0");
  if (fraction.slice(2) !== "00") return null;
  const bp = Number(match[2]) * 100 + Number(fraction.slice(0, 2));
  return match[1] === "-" ? -bp : bp;
}

const attr = (element: string, name: string): string | undefined =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];

/**
 * The half-year entries in an SDMX-ML 2.1 generic data answer for the base-rate series. The series holds the rate at
 * each month's end; § 247 BGB changes it only on 1 January and 1 July, so every month of a half-year must show the same
 * rate, which becomes the entry of the half-year's first day. Throws BundesbankError when the answer is not that
 * message, holds no series or more than one, or no usable entry.
 */
export function parseBundesbankBaseRates(xml: string, expectedSeries?: string): BundesbankBaseRates {
  if (!/<(?:[\w-]+:)?GenericData[\s>]/.test(xml))
    throw new BundesbankError("the answer is not an SDMX-ML 2.1 GenericData message");
  const series = xml.match(/<(?:[\w-]+:)?Series[\s>]/g) ?? [];
  if (series.length !== 1) throw new BundesbankError(`the answer holds ${series.length} series, expected exactly one`);
  if (expectedSeries) {
    const bbkId = /<(?:[\w-]+:)?Value\b[^>]*\bid="BBK_ID"[^>]*>/.exec(xml)?.[0];
    const id = bbkId ? attr(bbkId, "value") : undefined;
    if (id !== undefined && id !== expectedSeries)
      throw new BundesbankError(`the answer is series ${id}, expected ${expectedSeries}`);
  }

  const rejected: string[] = [];
  const byHalf = new Map<string, { rateBp: number; months: string[] }>();
  const conflicting = new Set<string>();
  for (const [obs] of xml.matchAll(/<(?:[\w-]+:)?Obs[\s>][\s\S]*?<\/(?:[\w-]+:)?Obs>/g)) {
    const dimension = /<(?:[\w-]+:)?ObsDimension\b[^>]*>/.exec(obs)?.[0];
    const value = /<(?:[\w-]+:)?ObsValue\b[^>]*>/.exec(obs)?.[0];
    const parsed = observationSchema.safeParse({
      period: dimension && attr(dimension, "value"),
      value: value && attr(value, "value"),
    });
    if (!parsed.success) {
      const period = dimension ? (attr(dimension, "value") ?? "?") : "?";
      rejected.push(`${period}: ${parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join(", ")}`);
      continue;
    }
    const rateBp = percentToBasisPoints(parsed.data.value);
    if (rateBp === null) {
      rejected.push(`${parsed.data.period}: ${parsed.data.value} is not whole basis points`);
      continue;
    }
    const [year, month] = parsed.data.period.split("-") as [string, string];
    const from = `${year}-${month <= "06" ? "01" : "07"}-01`;
    const half = byHalf.get(from);
    if (!half) byHalf.set(from, { rateBp, months: [parsed.data.period] });
    else if (half.rateBp !== rateBp) conflicting.add(from);
    else half.months.push(parsed.data.period);
  }

  const entries: BaseRateEntry[] = [];
  for (const [from, { rateBp }] of [...byHalf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (conflicting.has(from)) {
      rejected.push(`${from}: the months of this half-year show different rates`);
      continue;
    }
    const entry = baseRateEntrySchema.safeParse({ from, rateBp });
    if (!entry.success) {
      rejected.push(`${from}: ${entry.error.issues.map((i) => i.message).join(", ")}`);
      continue;
    }
    entries.push(entry.data);
  }
  if (entries.length === 0) {
    throw new BundesbankError(
      `the answer holds no usable base rate${rejected.length ? ` (${rejected.slice(0, 3).join("; ")})` : ""}`,
    );
  }
  return { entries, rejected };
}

/** "https://…/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME" → "BBIN1.M.DE.BBK.BBKBAS2.EUR.ME" (the BBK_ID the answer carries). */
function seriesIdOf(url: URL): string | undefined {
  const match = /\/data\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  return match ? `${decodeURIComponent(match[1]!)}.${decodeURIComponent(match[2]!)}` : undefined;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new BundesbankError(`the answer is ${declared} bytes, more than ${maxBytes}`);
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not awaited: a stream may settle its cancel only once the peer is done, which is what we stop waiting for.
      void reader.cancel().catch(() => undefined);
      throw new BundesbankError(`the answer is more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new BundesbankError("the answer is not UTF-8 text");
  }
}

/**
 * Reads the base-rate series. Throws BundesbankError on any failure (no answer within the deadline, an HTTP error, an
 * answer too large or not the expected message); the caller keeps the table it has.
 */
export async function fetchBundesbankBaseRates(options: BundesbankOptions = {}): Promise<BundesbankBaseRates> {
  const url = new URL(options.url ?? BUNDESBANK_BASE_RATE_URL);
  if (!url.searchParams.has("startPeriod"))
    url.searchParams.set("startPeriod", options.startPeriod ?? DEFAULT_START_PERIOD);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  // The deadline holds for the whole exchange, headers and body, even where a fetch implementation ignores the signal.
  const deadline = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }),
  );
  deadline.catch(() => undefined);
  let text: string;
  try {
    const response = await Promise.race([
      fetch(url, { headers: { accept: SDMX_GENERIC_DATA }, redirect: "error", signal }),
      deadline,
    ]);
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      throw new BundesbankError(`the Bundesbank answered HTTP ${response.status}`);
    }
    text = await Promise.race([readBounded(response, options.maxBytes ?? DEFAULT_MAX_BYTES), deadline]);
  } catch (error) {
    if (error instanceof BundesbankError) throw error;
    if (signal.aborted) throw new BundesbankError(`no answer from the Bundesbank within ${timeoutMs / 1000} s`);
    throw new BundesbankError(`the Bundesbank could not be reached: ${(error as Error).message}`);
  }
  return parseBundesbankBaseRates(text, seriesIdOf(url));
}
