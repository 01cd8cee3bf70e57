import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

import postgres from "postgres";

import { type Database, type Engine, migrateDatabase, openDatabase, type OpenOptions } from "#app/db/client.server";

/**
 * Database suites run on PGlite always, and also on PostgreSQL when TEST_DATABASE_URL (or
 * DATABASE_URL) is set, each file on a fresh throwaway database. MAHNWERK_TEST_ENGINES=postgres runs the PostgreSQL
 * variants alone: .ci/run's second pass, whose PGlite variants its first pass has just run.
 */
export function testEngines(): Engine[] {
  if (!postgresTestUrl()) return ["pglite"];
  return process.env.MAHNWERK_TEST_ENGINES === "postgres" ? ["postgres"] : ["pglite", "postgres"];
}

export function postgresTestUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export type TestDatabase = Database & { options: OpenOptions };

export async function createTestDatabase(engine: Engine, { migrate = true } = {}): Promise<TestDatabase> {
  if (engine === "pglite") {
    const options: OpenOptions = { engine: "pglite" };
    const database = await openDatabase(options);
    if (migrate) await migrateDatabase(options, database);
    return { ...database, options };
  }
  const adminUrl = postgresTestUrl();
  if (!adminUrl) throw new Error("no PostgreSQL for tests: set TEST_DATABASE_URL");
  const name = `mahnwerk_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const options: OpenOptions = { engine: "postgres", url: url.toString(), max: 5 };
  const database = await openDatabase(options);
  if (migrate) await migrateDatabase(options, database);
  return {
    ...database,
    options,
    close: async () => {
      await database.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** How many migrations drizzle/ holds (from drizzle-kit's journal), for tests that check they were all applied. */
export function migrationCount(): number {
  const journal = JSON.parse(readFileSync(path.resolve(process.cwd(), "drizzle/meta/_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}
