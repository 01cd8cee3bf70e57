import { sql } from "drizzle-orm";

import { type SandboxPartner, startSandboxPartner } from "#adapters/partners/sandbox/server";
import { type Env, EnvError, getEnv } from "#app/config/env.server";
import { type Database, DatabaseError, describeError, rowsOf } from "#app/db/client.server";
import { getDatabase } from "#app/db/db.server";
import { TENANT_ROLE, tenantRoleUsable } from "#app/db/tenant.server";
import { seedDemo } from "#app/demo/seed.server";
import { connectDemoPartner } from "#app/demo/seed.server";
import { jobDefinitions } from "#app/jobs/definitions.server";
import { type Jobs, startJobs } from "#app/jobs/jobs.server";
import type { SandboxEndpoints } from "#app/services/collection/partner-settings.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import { sealSecretsAtRest } from "#app/services/shops/secrets-at-rest.server";
import { startShopify } from "#app/shopify.server";
import { parseKey } from "#app/utils/crypto.server";
import { logger } from "#app/utils/logger.server";

export type RunningProcess = {
  env: Env;
  database: Database;
  jobs: Jobs;
  /** The sandbox partner this process runs (demo mode with workers), which the settings page offers. */
  sandboxPartner: SandboxEndpoints | null;
  stop(): Promise<void>;
};

/**
 * Start-up shared by the web process, the worker and anything else long-running: validate env, open and
 * migrate the database, seed the demo shop, start pg-boss. Any failure ends the process with one line.
 */
/** `web`: `npm start`, which also works unless WORKERS=0; `worker`: `npm run worker`, which always works. */
export async function startProcess(options: { role: "web" | "worker" }): Promise<RunningProcess> {
  let env: Env;
  try {
    env = getEnv();
  } catch (error) {
    return fail(error);
  }
  logger.level = env.LOG_LEVEL;
  const work = options.role === "worker" || env.WORKERS;
  if (env.demoMode && env.NODE_ENV === "production") {
    logger.warn(
      "DEMO MODE: this server shows a demo shop to anyone who reaches it and holds no real data; set the Shopify variables, or DEMO=0 with APP_URL for WooCommerce",
    );
  }
  if (env.ALLOW_PRIVATE_NETWORK && env.NODE_ENV === "production") {
    // Store URLs may then reach this machine's and the local network's services (meant for stand-ins and development).
    logger.warn("ALLOW_PRIVATE_NETWORK is on: WooCommerce store URLs may point at loopback and private addresses");
  }
  // A query that fails while PostgreSQL drops its connections can surface as a rejection nothing awaits any more (its
  // request already got its 5xx or lost its socket; its job is already marked failed and will be retried): log it and
  // keep serving instead of taking every other request and job down with the process
  // (test/reliability/database-outage.test.ts).
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  let sandbox: SandboxPartner | null = null;
  try {
    const database = await getDatabase();
    // A production deployment without the fence between shops must be a decision, not a log line nobody reads (ADR 006).
    if (env.NODE_ENV === "production" && !env.ALLOW_WITHOUT_RLS && !(await tenantRoleUsable(database.db))) {
      const [who] = rowsOf<{ user: string }>(await database.db.execute(sql`select current_user as user`));
      await database.close();
      throw new DatabaseError(
        `row-level security is off: role ${TENANT_ROLE} is missing or not granted to ${who?.user}. ` +
          `As an administrator run CREATE ROLE ${TENANT_ROLE} NOLOGIN; GRANT ${TENANT_ROLE} TO ${who?.user}; then restart, ` +
          `or set ALLOW_WITHOUT_RLS=1 to run without it (docs/decisions/006-row-level-security.md)`,
      );
    }
    if (env.ENCRYPTION_KEY) {
      const sealed = await sealSecretsAtRest(database.db, parseKey(env.ENCRYPTION_KEY));
      if (sealed.sessions + sealed.wooConnections + sealed.partnerAccounts > 0)
        logger.info(sealed, "secrets at rest brought to the current encryption");
    }
    if (env.demoMode) {
      await seedDemo(database.db, new Date());
      // Bring the demo to where the scheduler would have it, so the first screens show a settled state.
      await runDunningSweep(database.db, new Date());
      if (work) sandbox = await startDemoPartner(database.db);
    }
    const jobs = await startJobs(database, jobDefinitions, { work });
    startShopify(jobs);
    return {
      env,
      database,
      jobs,
      sandboxPartner: sandbox ? sandboxEndpoints(sandbox) : null,
      stop: async () => {
        await jobs.stop();
        await sandbox?.close();
        await database.close();
      },
    };
  } catch (error) {
    return fail(error);
  }
}

function fail(error: unknown): never {
  const message = error instanceof EnvError || error instanceof DatabaseError ? error.message : describeError(error);
  // One clear line on stderr for a person, then a non-zero exit.
  process.stderr.write(`mahnwerk: ${message}\n`);
  if (!(error instanceof EnvError || error instanceof DatabaseError)) logger.error({ err: error }, "start-up failed");
  process.exit(1);
}

/**
 * The demo hands claims to the sandbox partner, a real HTTP server speaking Riverty's protocol, so the whole flow
 * (handover, partner statuses, payment) runs through the real adapter without a contract.
 */
async function startDemoPartner(db: Parameters<typeof connectDemoPartner>[0]): Promise<SandboxPartner> {
  const sandbox = await startSandboxPartner({ port: getEnv().SANDBOX_PARTNER_PORT });
  await connectDemoPartner(db, sandbox, getEnv().DEMO_PARTNER);
  logger.info({ url: sandbox.url }, "sandbox collection partner started");
  return sandbox;
}

/** What the settings page offers of the sandbox: both protocols, with credentials (they are not secret). */
function sandboxEndpoints(sandbox: SandboxPartner): SandboxEndpoints {
  const { baseUrl, uuid, user, password, answers } = sandbox.mediafinanz;
  return {
    baseUrl: sandbox.url,
    authUrl: sandbox.authUrl,
    ...sandbox.credentials,
    mediafinanz: { baseUrl, uuid, user, password, answers },
  };
}
