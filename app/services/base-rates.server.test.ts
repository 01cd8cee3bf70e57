import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUILT_IN_BASE_RATES, rateOn } from "#app/domain/dunning/base-rates";
import { BaseRatesFileError, loadBaseRateTable } from "#app/services/base-rates.server";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mahnwerk-base-rates-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

describe("loadBaseRateTable", () => {
  test("without a file it is the built-in table", async () => {
    expect(await loadBaseRateTable(null)).toBe(BUILT_IN_BASE_RATES);
  });

  test("a file's entries extend the built-in table", async () => {
    const p = await file("ok.json", JSON.stringify([{ from: "2026-07-01", rateBp: 95 }]));
    const table = await loadBaseRateTable(p);
    expect(rateOn(table, "2026-06-30")).toBe(127);
    expect(rateOn(table, "2026-12-31")).toBe(95);
  });

  test("an invalid entry is an error naming the file and the entry", async () => {
    const p = await file("bad.json", JSON.stringify([{ from: "2026-07-01", rateBp: 95 }, { from: "2026-08-01", rateBp: 95 }]));
    const error = await loadBaseRateTable(p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseRatesFileError);
    expect((error as Error).message).toBe(
      `BASE_RATES_FILE ${p} is invalid: entry 2 (from "2026-08-01"): from must be 1 January or 1 July (§247 BGB changes the rate only then)`,
    );
  });

  test("broken JSON, a non-array and a missing file are errors naming the file", async () => {
    const broken = await file("broken.json", "[{");
    await expect(loadBaseRateTable(broken)).rejects.toThrow(`BASE_RATES_FILE ${broken} is not valid JSON`);
    const object = await file("object.json", JSON.stringify({ from: "2026-07-01", rateBp: 95 }));
    await expect(loadBaseRateTable(object)).rejects.toThrow(`BASE_RATES_FILE ${object} must be a JSON array`);
    const missing = path.join(dir, "missing.json");
    await expect(loadBaseRateTable(missing)).rejects.toThrow(`BASE_RATES_FILE ${missing} cannot be read`);
  });
});
