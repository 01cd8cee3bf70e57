import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Shop } from "#app/db/schema";
import { tenantScope, type TenantScope } from "#app/db/tenant.server";
import { createTestDatabase, testEngines, type TestDatabase } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";
import { CSV_NOW, CSV_VIEWS, seedAwkwardCases } from "#test/fixtures/case-csv/seed";
import { casesCsvStream, quote } from "./case-csv.server";
import { caseListQuerySchema } from "./case-list.server";

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
    await insertCaseRow(database.db, shop, { firstName: "=HYPERLINK(\"http://evil\")", lastName: "Müller; Sohn", outstandingMinor: 123_450, dueDate: "2026-10-15", createdAt: new Date("2026-10-16T23:30:00Z"), status: "running", dunningLevel: "reminder_1" });
    for (let i = 0; i < 1_205; i++) await insertCaseRow(database.db, shop, { firstName: `Kunde${i}`, lastName: "Test", outstandingMinor: 1_000 + i, status: "waiting_for_approval" });
  }, 120_000);
  afterAll(() => database.close());

  test("German: BOM, semicolons, decimal comma, dd.mm.yyyy, every page, formulas neutralised", async () => {
    const bytes = await read(casesCsvStream(database.db, shop, query(), "de", now, 500));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)), ";");
    expect(rows[0]).toEqual(["Bestellung", "Vorname", "Nachname", "Offener Betrag", "Währung", "Fällig am", "Tage überfällig", "Status", "Mahnstufe", "Erstellt am"]);
    expect(rows).toHaveLength(1 + 1_206);
    expect(new Set(rows.map((r) => r[1])).size).toBe(1 + 1_206);
    const evil = rows.find((r) => r[2] === "Müller; Sohn")!;
    expect(evil[1]).toBe("'=HYPERLINK(\"http://evil\")");
    expect(evil.slice(3)).toEqual(["1234,50", "EUR", "15.10.2026", "39", "Laufend", "1. Zahlungserinnerung", "17.10.2026"]);
  });

  test("English: commas, ISO dates, decimal point, no BOM; and exactly the filtered view", async () => {
    const bytes = await read(casesCsvStream(database.db, shop, query({ status: "running" }), "en", now));
    expect(bytes[0]).not.toBe(0xef);
    const rows = parseCsv(new TextDecoder().decode(bytes), ",");
    expect(rows).toHaveLength(2);
    expect(rows[1]!.slice(3)).toEqual(["1234.50", "EUR", "2026-10-15", "39", "Running", "1st reminder", "2026-10-17"]);
  });

  test("inside the tenant scope, one fenced transaction per page, at most one page ahead of a slow reader", async () => {
    let transactions = 0;
    const scope: TenantScope = (fn) => {
      transactions += 1;
      return tenantScope(database.db, shop.id)(fn);
    };
    const reader = casesCsvStream(scope, shop, query(), "en", now, 100).getReader();
    await reader.read(); // the header
    await reader.read(); // the first page
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(transactions).toBeLessThanOrEqual(2);
    await reader.cancel();
    const all = await read(casesCsvStream(tenantScope(database.db, shop.id), shop, query(), "en", now, 100));
    expect(parseCsv(new TextDecoder().decode(all), ",")).toHaveLength(1 + 1_206);
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
      const bytes = await read(casesCsvStream(tenantScope(database.db, shop.id), { id: shop.id, timezone: view.timeZone }, query(view.query), view.locale, CSV_NOW, pageRows));
      expect(Buffer.from(bytes).toString("utf8")).toBe(expected.toString("utf8"));
    }
  });

  test("pages continue after the last row's exact creation time (microseconds, not the millisecond)", async () => {
    const other = await insertShop(database.db);
    const at = new Date("2026-11-01T12:00:00.123Z");
    for (let i = 0; i < 6; i++) await insertCaseRow(database.db, other, { orderName: `#${9000 + i}`, createdAt: at });
    // Six creation times within one millisecond: 12:00:00.123000 … .123500.
    await database.db.execute(sql`update cases set created_at = created_at + (substr(order_name, 5)::int * interval '100 microseconds') where shop_id = ${other.id}`);
    for (const direction of ["desc", "asc"]) {
      const bytes = await read(casesCsvStream(database.db, other, query({ direction }), "en", CSV_NOW, 1));
      const orders = parseCsv(new TextDecoder().decode(bytes), ",").slice(1).map((r) => r[0]);
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
