import { readFile } from "node:fs/promises";
import { getEnv } from "#app/config/env.server";
import {
  BUILT_IN_BASE_RATES,
  baseRateTableSchema,
  mergeBaseRates,
  type BaseRateTable,
} from "#app/domain/dunning/base-rates";

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
 * none). Read on each call, so an operator's new entry applies without a restart.
 */
export async function loadBaseRateTable(file: string | null = getEnv().BASE_RATES_FILE ?? null): Promise<BaseRateTable> {
  if (file === null) return BUILT_IN_BASE_RATES;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BaseRatesFileError(`BASE_RATES_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  return mergeBaseRates(BUILT_IN_BASE_RATES, parseBaseRatesFile(text, file));
}
