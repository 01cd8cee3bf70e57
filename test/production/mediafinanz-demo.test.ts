import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Database, Db } from "#app/db/client.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";
import { type AppDatabase, createAppDatabase, rowsOf } from "#test/support/app-database";
import { postgresTestUrl } from "#test/support/db";
import {
  ensureBuild,
  runMahnwerk,
  type RunningProcess,
  type RunningServer,
  startServer,
  startWorker,
} from "#test/support/server";
import { waitFor } from "#test/support/wait";

/*
 * mediaFinanz as the demo's partner, through the processes users run: `DEMO=1 DEMO_PARTNER=mediafinanz npm start`
 * (WORKERS=0) beside `npm run worker`, whose sandbox partner speaks mediaFinanz's REST protocol over HTTP, and the CLI
 * queueing the scheduled jobs. Cases reach the handover, go to the sandbox after its dry run with our case id, carry
 * the 11-digit file number, are followed to paid by their status, and one is cancelled by a close request.
 */

beforeAll(() => ensureBuild(), 300_000);

type CaseRow = { id: string; status: string; partner_reference: string | null };

describe.skipIf(!postgresTestUrl())("the demo with the mediaFinanz sandbox (PostgreSQL)", () => {
  let app: AppDatabase;
  let env: Record<string, string>;
  let server: RunningServer;
  let worker: RunningProcess;
  let database: Database;
  const cli = async (...args: string[]) => {
    const result = await runMahnwerk(args, env);
    expect(result.code, `${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const query = async <T>(db: Db, text: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(text));
  const handedOverHere = () =>
    query<CaseRow>(
      database.db,
      sql`select id, status, partner_reference from cases where partner_reference ~ '^[0-9]{11}$' order by id`,
    );

  beforeAll(async () => {
    app = await createAppDatabase("postgres");
    env = { ...app.serverEnv, DEMO: "1", DEMO_PARTNER: "mediafinanz", LOG_LEVEL: "debug" };
    server = await startServer({ ...env, WORKERS: "0" });
    worker = await startWorker(env);
    database = await app.open();
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await database?.close();
    await app?.dispose();
  });

  test("handed over with its file number, followed to paid; another cancelled at mediaFinanz", async () => {
    const [account] = await waitFor("the demo shop connected to the sandbox", async () => {
      const rows = await query<{ partner: string; shop_id: string }>(
        database.db,
        sql`select partner, shop_id from partner_accounts`,
      );
      return rows.length > 0 ? rows : null;
    });
    expect(account!.partner).toBe("sandbox_mediafinanz");
    const updated = await updateSettings(
      database.db,
      account!.shop_id,
      { autoHandover: { mode: "all" }, sendWindow: { startHour: 0, endHour: 24, skipSundays: false } },
      { changedBy: "test", now: new Date() },
    );
    expect(updated, JSON.stringify(updated)).toMatchObject({ ok: true });

    // The schedule's days pass until the running cases are handed over and their claims delivered.
    for (let step = 0; step < 4 && (await handedOverHere()).length < 2; step++) {
      const past = new Date(Date.now() - 60_000).toISOString();
      await database.db.execute(
        sql`update cases set next_action_at = ${past}::timestamptz, state = jsonb_set(state, '{nextActionAt}', to_jsonb(${past}::text)) where status = 'running'`,
      );
      await cli("jobs", "run", "dunning.sweep");
      await new Promise((r) => setTimeout(r, 3_000));
      await cli("jobs", "run", "outbox.sweep");
      await new Promise((r) => setTimeout(r, 3_000));
    }
    const [paidOne, cancelledOne] = await waitFor("two claims at mediaFinanz", async () => {
      const rows = await handedOverHere();
      return rows.length >= 2 ? rows : null;
    }).catch(async (error: unknown) => {
      const cases = await query(
        database.db,
        sql`select status, dunning_level, partner_reference, state->'blockReasons' as b, state->'failureReasons' as f from cases order by status`,
      );
      const out = await query(database.db, sql`select kind, status, last_error from outbox where kind like 'partner%'`);
      process.stdout.write(`${JSON.stringify(cases)}\n${JSON.stringify(out)}\n${worker.output().slice(-4000)}\n`);
      throw error;
    });
    expect(worker.output()).not.toMatch(/"msg":"outbox handler threw"/);

    const shown = JSON.parse(
      await cli("cases", "show", cancelledOne!.id, "--shop", DEMO_SHOP_DOMAIN, "--actor", "test", "--json"),
    ) as { partnerReference: string; events: { type: string }[] };
    expect(shown.partnerReference).toBe(cancelledOne!.partner_reference);
    await cli(
      "cases",
      "cancel",
      cancelledOne!.id,
      "--shop",
      DEMO_SHOP_DOMAIN,
      "--reason",
      "Kunde hat storniert",
      "--actor",
      "jana",
    );
    await cli("jobs", "run", "outbox.sweep");
    await waitFor("the close request sent", async () => {
      const rows = await query<{ status: string }>(
        database.db,
        sql`select status from outbox where kind = 'partner.recall' and case_id = ${cancelledOne!.id}`,
      );
      return rows[0]?.status === "done" ? rows : null;
    });

    for (let poll = 0; poll < 4; poll++) {
      await cli("jobs", "run", "partner.sync");
      await new Promise((r) => setTimeout(r, 3_000));
    }
    const status = async (id: string) =>
      (await query<CaseRow>(database.db, sql`select id, status, partner_reference from cases where id = ${id}`))[0]!
        .status;
    await waitFor("the first case paid", async () => (await status(paidOne!.id)) === "paid");
    await waitFor("the second case cancelled", async () => (await status(cancelledOne!.id)) === "cancelled");
    const events = await query<{ reason: string | null }>(
      database.db,
      sql`select reason from case_events where case_id = ${paidOne!.id} and type = 'partner_status_changed'`,
    );
    expect(events.map((e) => e.reason).join("\n")).toContain("status 10203");
  }, 300_000);
});
