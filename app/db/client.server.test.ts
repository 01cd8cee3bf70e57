import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, describe, expect, test } from "vitest";

import { createTestDatabase, testEngines } from "#test/support/db";

import { DatabaseBusyError, DatabaseError, migrateDatabase, MIGRATIONS_DIR, openDatabase } from "./client.server";

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};

describe.each(testEngines())("database on %s", (engine) => {
  test("applies every migration once and records them", async () => {
    const database = await createTestDatabase(engine);
    try {
      expect(await database.migrationsApplied()).toBe(journal.entries.length);
      // Running the migrator again (a second process starting) applies nothing twice.
      await migrateDatabase(database.options, database);
      expect(await database.migrationsApplied()).toBe(journal.entries.length);
      const tables = await database.db.execute<{ table_name: string }>(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      const names = (Array.isArray(tables) ? tables : (tables as { rows: { table_name: string }[] }).rows).map(
        (r) => r.table_name,
      );
      expect(names).toEqual(
        expect.arrayContaining([
          "shops",
          "sessions",
          "orders",
          "cases",
          "case_events",
          "settings",
          "webhook_inbox",
          "outbox",
          "api_tokens",
        ]),
      );
    } finally {
      await database.close();
    }
  });
});

describe("embedded database", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test("persists in DATA_DIR across restarts", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-"));
    dirs.push(dir);
    const options = { engine: "pglite" as const, dataDir: dir };
    const first = await openDatabase(options);
    await migrateDatabase(options, first);
    await first.db.execute(
      sql`insert into shops (platform, domain, name, timezone, currency, locale) values ('demo', 'persist.example', 'P', 'Europe/Berlin', 'EUR', 'de')`,
    );
    await first.close();
    const second = await openDatabase(options);
    const rows = await second.db.execute<{ n: number }>(sql`select count(*)::int as n from shops`);
    expect((rows as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(1);
    await second.close();
  });

  test("refuses a second process on the same DATA_DIR with one clear error", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-"));
    dirs.push(dir);
    // process 1 (init) is always alive: it stands in for a running app holding the database.
    writeFileSync(path.join(dir, "mahnwerk.pid"), "1");
    await expect(openDatabase({ engine: "pglite", dataDir: dir })).rejects.toThrow(DatabaseBusyError);
    await expect(openDatabase({ engine: "pglite", dataDir: dir })).rejects.toThrow(/in use by process 1/);
  });

  test("a stale pid file from a crashed process does not block", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "mahnwerk.pid"), "999999999");
    const database = await openDatabase({ engine: "pglite", dataDir: dir });
    await database.ping();
    await database.close();
  });
});

describe("unreachable PostgreSQL", () => {
  test("fails with a message naming the database and the cause", async () => {
    const error = await openDatabase({ engine: "postgres", url: "postgres://postgres@127.0.0.1:1/none" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect(String((error as Error).message)).toMatch(
      /Cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
    );
  });
});
