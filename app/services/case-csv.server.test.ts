import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Shop } from "#app/db/schema";
import { createTestDatabase, testEngines, type TestDatabase } from "#test/support/db";
import { insertCaseRow, insertShop } from "#test/support/factories";
import { casesCsvStream, decimal, text } from "./case-csv.server";
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

describe.each(testEngines())("CSV export on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  const now = new Date("2026-11-23T10:00:00Z");
  const query = (input: Record<string, unknown> = {}) => {
    const { cursor: _c, limit: _l, ...rest } = caseListQuerySchema.parse(input);
    return rest;
  };
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
    await insertCaseRow(database.db, shop, { firstName: "=HYPERLINK(\"http://evil\")", lastName: "Müller; Sohn", outstandingMinor: 123_450, dueDate: "2026-10-15", createdAt: new Date("2026-10-16T23:30:00Z"), status: "running", dunningLevel: "reminder_1" });
    for (let i = 0; i < 1_205; i++) await insertCaseRow(database.db, shop, { firstName: `Kunde${i}`, lastName: "Test", outstandingMinor: 1_000 + i, status: "waiting_for_approval" });
  }, 120_000);
  afterAll(() => database.close());

  test("German: BOM, semicolons, decimal comma, dd.mm.yyyy, every page, formulas neutralised", async () => {
    const bytes = await read(casesCsvStream(database.db, shop, query(), "de", now));
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)), ";");
    expect(rows[0]).toEqual(["Bestellung", "Vorname", "Nachname", "Offener Betrag", "Währung", "Fällig am", "Tage überfällig", "Status", "Mahnstufe", "Erstellt am"]);
    expect(rows).toHaveLength(1 + 1_206);
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
});

test("text cells starting with = + - @ tab or CR are neutralised; numbers we produce are not", () => {
  for (const bad of ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx"]) expect(text(bad, ";").replace(/^"/, "").startsWith("'")).toBe(true);
  expect(text("Anna", ";")).toBe("Anna");
  expect(text('Er sagte "Hallo"', ",")).toBe('"Er sagte ""Hallo"""');
  expect(decimal(-1_050, "EUR", ",")).toBe("-10,50");
  expect(decimal(5, "EUR", ".")).toBe("0.05");
  expect(decimal(1_500, "JPY", ".")).toBe("1500");
  expect(decimal(1_234, "BHD", ".")).toBe("1.234");
});
