import { getEnv } from "#app/config/env.server";
import { describeError, migrateDatabase, openDatabase } from "#app/db/client.server";
import { databaseOptions } from "#app/db/db.server";

import { runCli } from "./mahnwerk";

/** Entry of `npm run -s mahnwerk -- …` and the `mahnwerk` bin. */
const io = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};

let code = 1;
try {
  const options = databaseOptions(getEnv());
  const database = await openDatabase(options);
  try {
    await migrateDatabase(options, database);
    const jobs = async () => {
      const [{ jobDefinitions }, { sendJobNow }] = await Promise.all([
        import("#app/jobs/definitions.server"),
        import("#app/jobs/jobs.server"),
      ]);
      const scheduled = jobDefinitions.filter((d) => d.schedule);
      return {
        scheduled: scheduled.map((d) => d.name),
        run: async (name: string) => {
          const job = scheduled.find((d) => d.name === name);
          // runCli checks the name first; periodic jobs take no payload.
          return job ? sendJobNow(database, job, {}) : null;
        },
      };
    };
    code = await runCli(process.argv.slice(2), { db: database.db, now: () => new Date(), io, jobs });
  } finally {
    await database.close();
  }
} catch (error) {
  // One line, e.g. "the embedded database … is in use by process 1234" while the app is running.
  io.err(`mahnwerk: ${describeError(error)}`);
  code = 1;
}
process.exit(code);
