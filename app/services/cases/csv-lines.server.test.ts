import { Readable } from "node:stream";

import { sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";

import { cases } from "#app/db/schema";
import { inlineParams, sqlLiteral } from "#app/db/sql-inline.server";

import { readCopy } from "./csv.server";
import { copyTextToCsv, csvLines, unescapeCopyText } from "./csv-lines.server";

/** Two rows as `COPY … TO STDOUT` prints them: escapes, a null, a multi-byte name, a negative amount. */
const COPY_TEXT = [
  ["#1\\tA", "Zoë 😀", "\\N", "-5", "EUR", "2026-11-20", "running", "reminder_1", "2026-11-01 00:30:00+01"],
  [
    "=SUM(A1)",
    "back\\\\slash \\\\N",
    "Zeile\\nUmbruch\\r",
    "123450",
    "JPY",
    "2026-11-23",
    "legacy",
    "\\N",
    "2026-10-31 23:59:59.999999+01",
  ],
]
  .map((fields) => fields.join("\t") + "\n")
  .join("");

describe("COPY text to CSV lines", () => {
  const expected =
    "#1\tA,Zoë 😀,,-0.05,EUR,2026-11-20,3,Running,1st reminder,2026-11-01\r\n" +
    '\'=SUM(A1),back\\slash \\N,"Zeile\nUmbruch\r",123450,JPY,2026-11-23,0,status.legacy,,2026-10-31\r\n';

  test("decodes escapes and nulls and formats each row", () => {
    const csv = copyTextToCsv(csvLines("en", "2026-11-23"));
    expect(csv.write(Buffer.from(COPY_TEXT))).toBe(expected);
    expect(() => csv.end()).not.toThrow();
  });

  test("the same lines wherever the chunks end: inside a row, an escape or a UTF-8 character", () => {
    const bytes = Buffer.from(COPY_TEXT);
    for (let cut = 1; cut < bytes.length; cut++) {
      const csv = copyTextToCsv(csvLines("en", "2026-11-23"));
      expect(csv.write(bytes.subarray(0, cut)) + csv.write(bytes.subarray(cut)), `cut at ${cut}`).toBe(expected);
      csv.end();
    }
  });

  test("output that ends inside a row is an error, not a lost row", () => {
    const csv = copyTextToCsv(csvLines("de", "2026-11-23"));
    csv.write(Buffer.from(COPY_TEXT.slice(0, -1)));
    expect(() => csv.end()).toThrow(/inside a row/);
  });

  test("German: decimal comma and dd.mm.yyyy, three digits for BHD", () => {
    const lines = csvLines("de", "2026-11-23");
    expect(lines.head.startsWith("\uFEFFBestellung;")).toBe(true);
    expect(
      lines.line(["#1", null, "Ölmann", "1234", "BHD", "2026-10-15", "running", "", "2026-10-17 01:30:00+02"]),
    ).toBe("#1;;Ölmann;1,234;BHD;15.10.2026;39;Laufend;;17.10.2026");
    expect(lines.line(["#2", "a", "b", "7", "KWD", "2026-12-01", "paid", null, "2026-10-17 01:30:00+02"])).toBe(
      "#2;a;b;0,007;KWD;01.12.2026;0;Bezahlt;;17.10.2026",
    );
  });

  test("unescapeCopyText", () => {
    expect(unescapeCopyText(String.raw`a\\b\tc\nd\re\bf\fg\vh`)).toBe("a\\b\tc\nd\re\bf\fg\vh");
  });
});

describe("readCopy", () => {
  test("calls the stream's read function once more after the end: postgres.js resumes its socket there", async () => {
    const events: string[] = [];
    let text = "";
    const stream = new Readable({ highWaterMark: 1, read: () => void events.push("read") });
    stream.push("a");
    stream.push("b");
    stream.push(null);
    await readCopy(stream, async (chunk) => {
      text += Buffer.from(chunk).toString();
      events.push("chunk");
    });
    expect(text).toBe("ab");
    expect(events.at(-1)).toBe("read");
  });

  test("also after the stream failed", async () => {
    let reads = 0;
    const stream = new Readable({ read: () => void reads++ });
    stream.destroy(new Error("connection lost"));
    await expect(readCopy(stream, async () => {})).rejects.toThrow("connection lost");
    expect(reads).toBe(1);
  });
});

describe("values written into SQL", () => {
  test("one escape-string literal per value, whatever it holds", () => {
    expect(sqlLiteral(String.raw`O'Brien \' \\ $1`)).toBe(String.raw`E'O''Brien \\'' \\\\ $1'`);
    expect(sqlLiteral(42)).toBe("42");
    expect(sqlLiteral(-5)).toBe("(-5)");
    expect(sqlLiteral(null)).toBe("null");
    expect(() => sqlLiteral("a\0b")).toThrow(RangeError);
    expect(() => sqlLiteral(1.5)).toThrow(RangeError);
    expect(() => sqlLiteral({})).toThrow(TypeError);
  });

  test("placeholders are replaced once: a value holding $2 stays itself", () => {
    const text = inlineParams(
      sql`select 1 from ${cases} where ${cases.orderName} = ${"$2"} and ${cases.outstandingMinor} > ${10}`,
    );
    expect(text).toBe(`select 1 from "cases" where "cases"."order_name" = E'$2' and "cases"."outstanding_minor" > 10`);
  });
});
