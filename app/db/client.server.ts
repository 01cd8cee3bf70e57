import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { is, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres, PostgresJsSession } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

/** Rows of `db.execute` on either driver: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * The postgres.js client behind a handle (inside a transaction: the transaction's own connection), for what drizzle
 * cannot express — `COPY … TO STDOUT` read as a stream; null on PGlite.
 */
export function postgresClientOf(handle: DbOrTx): postgres.Sql | null {
  const session = handle._.session;
  return is(session, PostgresJsSession) ? session.client : null;
}

export type Engine = "pglite" | "postgres";

export type Database = {
  engine: Engine;
  db: Db;
  /** Where pg-boss gets its connection: the same PGlite instance, or the PostgreSQL URL. */
  jobs: { engine: "pglite"; pglite: PGlite } | { engine: "postgres"; url: string };
  /** Number of migrations recorded as applied. */
  migrationsApplied(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "drizzle");

export class DatabaseError extends Error {
  override name = "DatabaseError";
}

export type OpenOptions =
  | { engine: "postgres"; url: string; max?: number }
  /** dataDir undefined = in memory (tests). */
  | { engine: "pglite"; dataDir?: string };

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.engine === "postgres" ? openPostgres(options.url, options.max) : openPglite(options.dataDir);
}

/** Applies every pending migration in one transaction; concurrent starters wait for each other. */
export async function migrateDatabase(options: OpenOptions, database: Database): Promise<void> {
  try {
    if (options.engine === "pglite") {
      await migratePglite(database.db as Parameters<typeof migratePglite>[0], { migrationsFolder: MIGRATIONS_DIR });
      await database.db.execute(sql`select mahnwerk_fence_tenant_tables()`);
      return;
    }
    // A single-connection client so the session advisory lock and the migration share one session:
    // many web and worker processes may start at once against one PostgreSQL.
    const client = postgres(options.url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
    try {
      await client`select pg_advisory_lock(hashtext('mahnwerk:migrations'))`;
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_DIR });
      // Row-level security on every tenant table, also on those later migrations add (drizzle/0005, ADR 006).
      await client`select mahnwerk_fence_tenant_tables()`;
      await client`select pg_advisory_unlock(hashtext('mahnwerk:migrations'))`;
    } finally {
      await client.end({ timeout: 5 });
    }
  } catch (error) {
    throw new DatabaseError(`Migration failed, nothing was applied: ${describeError(error)}`);
  }
}

async function openPostgres(url: string, max = 10): Promise<Database> {
  const client = postgres(url, { max, onnotice: () => undefined, connect_timeout: 10 });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const database: Database = {
    engine: "postgres",
    db,
    jobs: { engine: "postgres", url },
    migrationsApplied: () => countMigrations(db),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
  try {
    await database.ping();
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => undefined);
    throw new DatabaseError(`Cannot reach PostgreSQL at ${redactUrl(url)}: ${describeError(error)}`);
  }
  return database;
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let release = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir ? path.resolve(dataDir, "pgdata") : undefined);
  } catch (error) {
    release();
    throw new DatabaseError(`Cannot open the embedded database in ${dataDir}: ${describeError(error)}`);
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return {
    engine: "pglite",
    db,
    jobs: { engine: "pglite", pglite },
    migrationsApplied: () => countMigrations(db),
    ping: async () => {
      if (pglite.closed) throw new DatabaseError("the embedded database is closed");
      await pglite.query("select 1");
    },
    close: async () => {
      if (!pglite.closed) await pglite.close();
      release();
    },
  };
}

async function countMigrations(db: Db): Promise<number> {
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { n: number }[] }).rows;
  return Number(list[0]?.n ?? 0);
}

/**
 * PGlite serves exactly one process. A pid file in DATA_DIR turns a second opener (a CLI next to the
 * running app, a second `npm start`) into one clear error instead of a corrupted database.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, "mahnwerk.pid");
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, "utf8").trim());
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new DatabaseBusyError(
      `The embedded database in ${dataDir} is in use by process ${holder} (a running Mahnwerk). ` +
        `Stop that process first, or set DATABASE_URL to a PostgreSQL database, which serves many processes.`,
    );
  }
  writeFileSync(file, String(process.pid));
  const release = () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
    process.off("exit", release);
  };
  process.on("exit", release);
  return release;
}

export class DatabaseBusyError extends DatabaseError {
  override name = "DatabaseBusyError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) {
    // drizzle wraps driver errors as "Failed query: …"; the cause is what a person needs to read.
    if (error.cause && error.message.startsWith("Failed query")) return describeError(error.cause);
    const code = (error as NodeJS.ErrnoException).code;
    const cause = error.cause ? ` (${describeError(error.cause)})` : "";
    return `${error.message || code || error.name}${code && !error.message.includes(code) ? ` [${code}]` : ""}${cause}`;
  }
  return String(error);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}
