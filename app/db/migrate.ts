import { getEnv } from "#app/config/env.server";

import { describeError, migrateDatabase, openDatabase } from "./client.server";
import { databaseOptions } from "./db.server";

/** `npm run db:migrate`: apply pending migrations and exit (start-up does the same). */
try {
  const options = databaseOptions(getEnv());
  const database = await openDatabase(options);
  await migrateDatabase(options, database);
  process.stdout.write(`${await database.migrationsApplied()} migrations applied (${database.engine})\n`);
  await database.close();
} catch (error) {
  process.stderr.write(`mahnwerk: ${describeError(error)}\n`);
  process.exit(1);
}
