import { describeError, type Database } from "#app/db/client.server";

export type Health =
  | { status: 200; body: { status: "ok"; database: Database["engine"]; migrations: number } }
  | { status: 503; body: { status: "error"; database?: Database["engine"]; reason: string } };

export async function checkHealth(open: () => Promise<Database>): Promise<Health> {
  let database: Database;
  try {
    database = await open();
  } catch (error) {
    return { status: 503, body: { status: "error", reason: describeError(error) } };
  }
  try {
    await database.ping();
    return { status: 200, body: { status: "ok", database: database.engine, migrations: await database.migrationsApplied() } };
  } catch (error) {
    return { status: 503, body: { status: "error", database: database.engine, reason: describeError(error) } };
  }
}
