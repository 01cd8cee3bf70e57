import { type Env, getEnv } from "#app/config/env.server";
import { singleton } from "#app/utils/singleton.server";

import { type Database, type Db, migrateDatabase, openDatabase, type OpenOptions } from "./client.server";

export function databaseOptions(env: Env): OpenOptions {
  return env.DATABASE_URL ? { engine: "postgres", url: env.DATABASE_URL } : { engine: "pglite", dataDir: env.DATA_DIR };
}

/** The process's database, opened and migrated once. */
export function getDatabase(): Promise<Database> {
  return singleton("database", async () => {
    const options = databaseOptions(getEnv());
    const database = await openDatabase(options);
    try {
      await migrateDatabase(options, database);
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  });
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
