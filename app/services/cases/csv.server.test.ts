import { readFileSync } from "node:fs";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

import { rowsOf } from "#app/db/client.server";
import type { Shop } from "#app/db/schema";
import { type TenantScope, tenantScope } from "#app/db/tenant.server";
import { CSV_NOW, CSV_VIEWS, seedAwkwardCases } from "#test/fixtures/case-csv/seed";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";

import { casesCsvStream, quote } from "./csv.server";
import { caseListQuerySchema } from "./list.server";

/** A strict RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(input: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && input[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const query = (input: Record<string, unknown> = {}) => {
  const { cursor: _c, limit: _l, ...rest } = caseListQuerySchema.parse(input);
  return rest;
};

describe.each(testEngines())("CSV export on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  const now = new Date("2026-11-23T10:00:00Z");
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    await insertCaseRow(database.db, shop, {
      firstName: '=HYPERLINK("http://evil")',
      lastName: "Müller; Sohn",
      outstandingMinor: 123_450,
      dueDate: "2026-10-15",
      createdAt: new Date("2026-10-16T23:30:00Z"),
      status: "running",
      dunningLevel: "reminder_1",
    });
    for (let i = 0; i < 1_205; i++)
      await insertCaseRow(database.db, shop, {
        firstName: `Kunde${i}`,
        lastName: "Test",
        outstandingMinor: 1_000 + i,
        status: "waiting_for_approval",
      });
  }, 120_000);
  afterAll(() => database.close());

  test("German: BOM, semicolons, decimal comma, dd.mm.yyyy, every page, formulas neutralised", async () => {
    const bytes = await read(casesCsvStream(database.db, shop, query(), "de", now, 500));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)), ";");
    expect(rows[0]).toEqual([
      "Bestellung",
      "Vorname",
      "Nachname",
      "Offener Betrag",
      "Währung",
      "Fällig am",
      "Tage überfällig",
      "Status",
      "Mahnstufe",
      "Erstellt am",
    ]);
    expect(rows).toHaveLength(1 + 1_206);
    expect(new Set(rows.map((r) => r[1])).size).toBe(1 + 1_206);
    const evil = rows.find((r) => r[2] === "Müller; Sohn")!;
    expect(evil[1]).toBe('\'=HYPERLINK("http://evil")');
    expect(evil.slice(3)).toEqual([
      "1234,50",
      "EUR",
      "15.10.2026",
      "39",
      "Laufend",
      "1. Zahlungserinnerung",
      "17.10.2026",
    ]);
  });

  test("English: commas, ISO dates, decimal point, no BOM; and exactly the filtered view", async () => {
    const bytes = await read(casesCsvStream(database.db, shop, query({ status: "running" }), "en", now));
    expect(bytes[0]).not.toBe(0xef);
    const rows = parseCsv(new TextDecoder().decode(bytes), ",");
    expect(rows).toHaveLength(2);
    expect(rows[1]!.slice(3)).toEqual(["1234.50", "EUR", "2026-10-15", "39", "Running", "1st reminder", "2026-10-17"]);
  });

  test(
    "inside the tenant scope: on PostgreSQL one transaction that does not wait for a slow reader, on PGlite a page at a time",
    { timeout: 120_000 },
    async () => {
      const transactions: { ended: boolean }[] = [];
      const scope: TenantScope = async (fn) => {
        const transaction = { ended: false };
        transactions.push(transaction);
        try {
          return await tenantScope(database.db, shop.id)(fn);
        } finally {
          transaction.ended = true;
        }
      };
      const reader = casesCsvStream(scope, shop, query(), "en", now, 100).getReader();
      await reader.read(); // the header
      await reader.read(); // the first chunk
      // Wait for the work the export does without the reader, however slow the machine: on PostgreSQL the whole view's
      // COPY into the spool, on PGlite the page read ahead.
      const settled = () =>
        expect(transactions.length > 0 && transactions.every((t) => t.ended), JSON.stringify(transactions)).toBe(true);
      if (engine === "postgres") {
        // The whole view in one COPY, written to the spool while the reader waits: the transaction ends without it.
        await vi.waitFor(settled, { timeout: 60_000, interval: 20 });
        expect(transactions).toEqual([{ ended: true }]);
      } else {
        // The first page, and at most the one after it: still so after a pause in which an eager reader would go on (the
        // pause only gives a wrong implementation time to show itself; any length of it is correct), once the page read
        // ahead (if any) has ended.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await vi.waitFor(settled, { timeout: 60_000, interval: 20 });
        expect(transactions.length).toBeLessThanOrEqual(2);
      }
      await reader.cancel();
      const all = await read(casesCsvStream(tenantScope(database.db, shop.id), shop, query(), "en", now, 100));
      expect(parseCsv(new TextDecoder().decode(all), ",")).toHaveLength(1 + 1_206);
    },
  );

  test("downloads cancelled right after the header leave the connections usable", async () => {
    for (let i = 0; i < 3; i++) {
      const reader = casesCsvStream(tenantScope(database.db, shop.id), shop, query(), "de", now).getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
    }
    const all = await read(casesCsvStream(tenantScope(database.db, shop.id), shop, query(), "en", now));
    expect(parseCsv(new TextDecoder().decode(all), ",")).toHaveLength(1 + 1_206);
  });

  test("a search with quotes, backslashes, $1, semicolons and emoji matches exactly and stays data", async () => {
    const nasty = String.raw`O'Bri\'en'' \\ \N $1 $$ ; drop table cases; -- E'x' ü😀`;
    await insertCaseRow(database.db, shop, { firstName: String.raw`\N`, lastName: nasty, orderName: "#NASTY-1" });
    // Differs from the search only in its backslashes: a search that lost or doubled one would find this one.
    await insertCaseRow(database.db, shop, {
      firstName: "Decoy",
      lastName: nasty.replaceAll("\\", "/"),
      orderName: "#NASTY-2",
    });
    const searches: [string, string[]][] = [
      [nasty, ["#NASTY-1"]],
      [nasty.slice(0, 9), ["#NASTY-1"]],
      ["o'bri", ["#NASTY-1", "#NASTY-2"]],
      ["x'); select pg_sleep(10); --", []],
    ];
    try {
      for (const [q, expected] of searches) {
        const bytes = await read(casesCsvStream(tenantScope(database.db, shop.id), shop, query({ q }), "en", now));
        const rows = parseCsv(new TextDecoder().decode(bytes), ",").slice(1);
        expect(rows.map((r) => r[0]).sort(), q).toEqual(expected);
        // The cells come back exactly as stored: COPY's escapes decoded, and \N a name, not a null.
        if (expected.includes("#NASTY-1"))
          expect(rows.find((r) => r[0] === "#NASTY-1")!.slice(1, 3)).toEqual([String.raw`\N`, nasty]);
      }
      const [count] = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from cases where shop_id = ${shop.id}`),
      );
      expect(Number(count!.n)).toBe(1_206 + 2);
    } finally {
      await database.db.execute(sql`delete from cases where shop_id = ${shop.id} and order_name like '#NASTY-%'`);
    }
  });
});

describe.each(testEngines())("CSV export against the bytes of the JavaScript formatter, on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    await seedAwkwardCases(database.db, shop);
  }, 120_000);
  afterAll(() => database.close());

  test.each(CSV_VIEWS)("$file", async (view) => {
    const expected = readFileSync(path.resolve("test/fixtures/case-csv", view.file));
    for (const pageRows of [undefined, 1, 3]) {
      const bytes = await read(
        casesCsvStream(
          tenantScope(database.db, shop.id),
          { id: shop.id, timezone: view.timeZone },
          query(view.query),
          view.locale,
          CSV_NOW,
          pageRows,
        ),
      );
      expect(Buffer.from(bytes).toString("utf8")).toBe(expected.toString("utf8"));
    }
  });

  test("pages continue after the last row's exact creation time (microseconds, not the millisecond)", async () => {
    const other = await insertShop(database.db);
    const at = new Date("2026-11-01T12:00:00.123Z");
    for (let i = 0; i < 6; i++) await insertCaseRow(database.db, other, { orderName: `#${9000 + i}`, createdAt: at });
    // Six creation times within one millisecond: 12:00:00.123000 … .123500.
    await database.db.execute(
      sql`update cases set created_at = created_at + (substr(order_name, 5)::int * interval '100 microseconds') where shop_id = ${other.id}`,
    );
    for (const direction of ["desc", "asc"]) {
      const bytes = await read(casesCsvStream(database.db, other, query({ direction }), "en", CSV_NOW, 1));
      const orders = parseCsv(new TextDecoder().decode(bytes), ",")
        .slice(1)
        .map((r) => r[0]);
      const ascending = ["#9000", "#9001", "#9002", "#9003", "#9004", "#9005"];
      expect(orders).toEqual(direction === "asc" ? ascending : ascending.reverse());
    }
  });
});

test("quote: RFC 4180, only where needed", () => {
  expect(quote("Anna", ";")).toBe("Anna");
  expect(quote('Er sagte "Hallo"', ",")).toBe('"Er sagte ""Hallo"""');
  expect(quote("a;b", ";")).toBe('"a;b"');
  expect(quote("a;b", ",")).toBe("a;b");
});
