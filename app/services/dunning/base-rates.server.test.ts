import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { BUNDESBANK_BASE_RATE_URL } from "#adapters/bundesbank/client";
import { BASE_RATE_ANSWER, baseRateAnswerWith } from "#adapters/bundesbank/fixtures";
import { baseRates, type Shop, shops } from "#app/db/schema";
import { withTenant } from "#app/db/tenant.server";
import { BUILT_IN_BASE_RATES, knownThrough, rateOn } from "#app/domain/dunning/base-rates";
import { server } from "#test/mocks/node";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import {
  BaseRatesFileError,
  baseRateStatus,
  loadBaseRateTable,
  loadBaseRateTableFrom,
  recentBaseRateStatus,
  refreshBaseRates,
  storedBaseRates,
} from "./base-rates.server";

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
    const p = await file(
      "bad.json",
      JSON.stringify([
        { from: "2026-07-01", rateBp: 95 },
        { from: "2026-08-01", rateBp: 95 },
      ]),
    );
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

test("the table's status: current while it covers today in Berlin, else through which day it is known", async () => {
  expect(await baseRateStatus(new Date("2026-06-30T21:59:00Z"), null)).toEqual({
    knownThrough: "2026-06-30",
    current: true,
    error: null,
  });
  expect(await baseRateStatus(new Date("2026-06-30T22:00:00Z"), null)).toEqual({
    knownThrough: "2026-06-30",
    current: false,
    error: null,
  });
  const broken = await baseRateStatus(new Date(), "/nonexistent/base-rates.json");
  expect(broken).toMatchObject({ current: false, error: expect.stringContaining("cannot be read") });
});

// msw (test/setup/msw.ts) answers for the Bundesbank with the recorded answer of adapters/bundesbank/fixtures.
const answer = (body: string) =>
  http.get(BUNDESBANK_BASE_RATE_URL, () => new HttpResponse(body, { headers: { "content-type": "application/xml" } }));
/** The recorded answer plus a half-year after the shipped table's last (a rate made up for the test). */
const withJuly2026 = baseRateAnswerWith([
  ["2026-07", "1.52"],
  ["2026-08", "1.52"],
]);

describe.each(testEngines())("base rates from the Bundesbank on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  const july = new Date("2026-07-15T10:00:00Z");

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.delete(baseRates);
  });
  afterEach(() => server.resetHandlers());

  test("the first refresh stores every half-year of the answer; the next changes nothing", async () => {
    server.use(answer(BASE_RATE_ANSWER));
    const first = await refreshBaseRates(database.db, { now: new Date("2026-04-11T05:41:00Z") });
    expect(first).toMatchObject({
      ok: true,
      source: BUNDESBANK_BASE_RATE_URL,
      changed: [],
      unchanged: 0,
      differFromBuiltIn: [],
      rejected: [],
    });
    expect(first.ok && first.added).toHaveLength(13);
    const rows = await database.db.select().from(baseRates);
    expect(rows.find((r) => r.from === "2024-07-01")).toEqual({
      from: "2024-07-01",
      rateBp: 337,
      source: BUNDESBANK_BASE_RATE_URL,
      fetchedAt: new Date("2026-04-11T05:41:00Z"),
    });
    const again = await refreshBaseRates(database.db, { now: new Date("2026-04-12T05:41:00Z") });
    expect(again).toMatchObject({ ok: true, added: [], changed: [], unchanged: 13 });
    expect(
      (await database.db.select().from(baseRates)).every(
        (r) => r.fetchedAt.getTime() === new Date("2026-04-11T05:41:00Z").getTime(),
      ),
    ).toBe(true);
  });

  test("a stored new half-year extends knownThrough and makes the status current", async () => {
    expect(await baseRateStatus(july, null, database.db)).toEqual({
      knownThrough: "2026-06-30",
      current: false,
      error: null,
    });
    server.use(answer(withJuly2026));
    const outcome = await refreshBaseRates(database.db, { now: july });
    expect(outcome).toMatchObject({ ok: true, knownThrough: "2026-12-31" });
    expect(outcome.ok && outcome.added.at(-1)).toEqual({ from: "2026-07-01", rateBp: 152 });
    const table = await loadBaseRateTableFrom(database.db, null);
    expect(knownThrough(table)).toBe("2026-12-31");
    expect(rateOn(table, "2026-07-15")).toBe(152);
    expect(await baseRateStatus(july, null, database.db)).toEqual({
      knownThrough: "2026-12-31",
      current: true,
      error: null,
    });
    // Without the database handle only the shipped table (and the file) count.
    expect(await baseRateStatus(july, null)).toEqual({ knownThrough: "2026-06-30", current: false, error: null });
  });

  test("the tab's banner reads the status at most once a minute, then sees the new half-year", async () => {
    const at = (seconds: number) => new Date(july.getTime() + seconds * 1000);
    expect(await recentBaseRateStatus(database.db, at(0))).toMatchObject({
      knownThrough: "2026-06-30",
      current: false,
    });
    server.use(answer(withJuly2026));
    await refreshBaseRates(database.db, { now: july });
    expect(await recentBaseRateStatus(database.db, at(30))).toMatchObject({ knownThrough: "2026-06-30" });
    expect(await recentBaseRateStatus(database.db, at(61))).toMatchObject({
      knownThrough: "2026-12-31",
      current: true,
    });
  });

  test("a changed rate replaces the stored one and is reported; the operator's file wins over both", async () => {
    server.use(answer(withJuly2026));
    await refreshBaseRates(database.db, { now: july });
    server.use(answer(baseRateAnswerWith([["2026-07", "1.47"]])));
    const outcome = await refreshBaseRates(database.db, { now: new Date("2026-07-16T05:41:00Z") });
    expect(outcome).toMatchObject({ ok: true, added: [], changed: [{ from: "2026-07-01", wasBp: 152, rateBp: 147 }] });
    expect(rateOn(await loadBaseRateTableFrom(database.db, null), "2026-07-15")).toBe(147);
    const p = await file("operator.json", JSON.stringify([{ from: "2026-07-01", rateBp: 150 }]));
    expect(rateOn(await loadBaseRateTableFrom(database.db, p), "2026-07-15")).toBe(150);
  });

  test("a rate that differs from the shipped table wins over it and is reported", async () => {
    server.use(
      answer(
        BASE_RATE_ANSWER.replace(/(value="2024-(?:0[7-9]|1[0-2])"\/>\s*<generic:ObsValue value=")3\.37/g, "$13.36"),
      ),
    );
    const outcome = await refreshBaseRates(database.db, { now: july });
    expect(outcome).toMatchObject({
      ok: true,
      differFromBuiltIn: [{ from: "2024-07-01", builtInBp: 337, rateBp: 336 }],
    });
    expect(rateOn(await loadBaseRateTableFrom(database.db, null), "2024-08-01")).toBe(336);
  });

  test("an HTTP error, a timeout or a malformed answer leaves the table as it was", async () => {
    server.use(answer(withJuly2026));
    await refreshBaseRates(database.db, { now: july });
    const before = await database.db.select().from(baseRates);

    server.use(http.get(BUNDESBANK_BASE_RATE_URL, () => new HttpResponse("busy", { status: 503 })));
    expect(await refreshBaseRates(database.db, { now: july })).toEqual({
      ok: false,
      source: BUNDESBANK_BASE_RATE_URL,
      error: "the Bundesbank answered HTTP 503",
    });
    server.use(answer("<html>Wartungsarbeiten</html>"));
    expect(await refreshBaseRates(database.db, { now: july })).toMatchObject({
      ok: false,
      error: expect.stringContaining("not an SDMX-ML 2.1 GenericData message"),
    });
    const never = () =>
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("no answer from the Bundesbank within 10 s")), 5),
      );
    expect(await refreshBaseRates(database.db, { now: july, fetchRates: never })).toMatchObject({
      ok: false,
      error: "no answer from the Bundesbank within 10 s",
    });

    expect(await database.db.select().from(baseRates)).toEqual(before);
    expect(await baseRateStatus(july, null, database.db)).toMatchObject({ knownThrough: "2026-12-31", current: true });
  });

  test("request code reads the stored rates inside a shop's tenant scope", async () => {
    server.use(answer(withJuly2026));
    await refreshBaseRates(database.db, { now: july });
    const table = await withTenant(database.db, shop.id, (tx) => loadBaseRateTableFrom(tx, null));
    expect(knownThrough(table)).toBe("2026-12-31");
    expect(await withTenant(database.db, shop.id, (tx) => storedBaseRates(tx))).toHaveLength(14);
  });

  test("without the tenant role's grant the stored rates are left out, and the caller's transaction goes on", async () => {
    server.use(answer(withJuly2026));
    await refreshBaseRates(database.db, { now: july });
    await database.db.execute(sql`revoke select on base_rates from mahnwerk_tenant`);
    try {
      const seen = await withTenant(database.db, shop.id, async (tx) => ({
        through: knownThrough(await loadBaseRateTableFrom(tx, null)),
        shops: (await tx.select({ id: shops.id }).from(shops)).map((r) => r.id),
      }));
      expect(seen).toEqual({ through: "2026-06-30", shops: [shop.id] });
    } finally {
      await database.db.execute(sql`grant select on base_rates to mahnwerk_tenant`);
    }
  });
});
