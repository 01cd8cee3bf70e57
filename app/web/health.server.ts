import { type Database, describeError } from "#app/db/client.server";
import { type BaseRateStatus, baseRateStatus } from "#app/services/dunning/base-rates.server";
import { lastRetentionRun, retentionRunToJson } from "#app/services/privacy/retention.server";

export type Health =
  | {
      status: 200;
      body: {
        status: "ok";
        database: Database["engine"];
        migrations: number;
        retention: ReturnType<typeof retentionRunToJson>;
        baseRates: BaseRateStatus;
      };
    }
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
    const migrations = await database.migrationsApplied();
    // The last retention sweep (null until the first one): when it ran, what it removed per rule, whether it stopped.
    const retention = retentionRunToJson(await lastRetentionRun(database.db));
    // Whether default interest can be computed through today (docs/dunning-and-the-law.md, rule 6).
    const baseRates = await baseRateStatus(new Date(), undefined, database.db);
    return { status: 200, body: { status: "ok", database: database.engine, migrations, retention, baseRates } };
  } catch (error) {
    return { status: 503, body: { status: "error", database: database.engine, reason: describeError(error) } };
  }
}
