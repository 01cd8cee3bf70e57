import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Database, Db } from "#app/db/client.server";
import { orders, outbox, shops, webhookInbox } from "#app/db/schema";
import { RETENTION_RULES } from "#app/services/privacy/retention.server";
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
 * The data-retention issue's "done when", through the processes users run: a fresh demo (`npm start` on the
 * embedded database in a temporary DATA_DIR; on PostgreSQL, TEST_DATABASE_URL, `DEMO=1 WORKERS=0 npm start` beside
 * `npm run worker`) lives 120 simulated days in four steps of 30: at each step everything in the database is aged by
 * 30 days, a month of traffic arrives (orders paid on time without a case, the deliveries that brought them, ignored,
 * dead and rejected deliveries, finished and dead outbox calls) at ages on both sides of every period, and the sweep
 * runs — `mahnwerk retention run` on steps 1 and 3, the scheduled job `retention.sweep` queued with
 * `mahnwerk jobs run` and done by the worker on steps 2 and 4. At the end the database holds no inbox body older than
 * 7 days, no failed delivery or finished outbox payload older than 30, and no personal data of an order paid on time
 * more than 30 days ago anywhere; everything inside its period is intact; `mahnwerk retention status` shows the
 * worker's last run with its counts per rule.
 *
 * The embedded database belongs to one process: on PGlite the test ages and inserts while the server is stopped.
 */

const ENGINE = postgresTestUrl() ? "postgres" : "pglite";
const DAY_MS = 86_400_000;
/** Ages (days) of each step's traffic: on both sides of 7 and of 30 days, never on a boundary. */
const AGES = [0.25, 3, 6.5, 7.5, 20, 29.5, 31, 45] as const;
const STEPS = 4;
const REDACTED_BODY = '{"redacted":true}';

const ENFORCED = RETENTION_RULES.filter((r) => r.enforced).map((r) => r.id);
/** What one sweep removes: only the step's traffic past a period on the first step, plus last step's younger rows after. */
const expectedRemoved = (step: number): Record<string, number> => {
  const past = (days: number) =>
    AGES.filter((a) => a > days).length + (step > 1 ? AGES.filter((a) => a < days).length : 0);
  const counts: Record<string, number> = Object.fromEntries(ENFORCED.map((id) => [id, 0]));
  // Processed and ignored deliveries; dead and rejected ones; one done outbox row and one paid order per age.
  counts["inbox.bodies"] = 2 * past(7);
  counts["inbox.failed"] = 2 * past(30);
  counts["outbox.payloads"] = past(30);
  counts["orders.personal"] = past(30);
  return counts;
};

/** One customer per step and age: the person behind an order paid on time and every delivery and call about it. */
const customerOf = (step: number, index: number) => {
  const tag = `s${step}a${index}`;
  return {
    tag,
    firstName: "Erika",
    lastName: `Zahlpünktlich-${tag}`,
    email: `erika.${tag}@kundin.example`,
    street: `Ruhweg ${step}${index}`,
    age: AGES[index]!,
  };
};

/** Everything in the database is 30 days older: the demo's own rows and all earlier traffic. */
async function ageThirtyDays(db: Db): Promise<void> {
  const shift = (table: string, columns: string[]) =>
    db.execute(
      sql.raw(`update "${table}" set ${columns.map((c) => `"${c}" = "${c}" - interval '30 days'`).join(", ")}`),
    );
  await shift("webhook_inbox", ["received_at", "processed_at", "triggered_at"]);
  await shift("outbox", ["created_at", "updated_at", "next_attempt_at"]);
  await shift("orders", ["ordered_at", "platform_updated_at", "created_at", "updated_at"]);
  await shift("cases", ["created_at", "updated_at"]);
  await shift("case_events", ["occurred_at", "recorded_at"]);
  await shift("access_log", ["at"]);
}

/** A month of traffic, as the receive path, the inbox processor and the outbox sweep store it. */
async function addTraffic(db: Db, shopId: string, step: number, now: number): Promise<void> {
  for (const index of AGES.keys()) {
    const c = customerOf(step, index);
    const at = new Date(now - c.age * DAY_MS);
    const orderedAt = new Date(at.getTime() - 10 * DAY_MS);
    const customer = {
      platformCustomerId: `c-${c.tag}`,
      firstName: c.firstName,
      lastName: c.lastName,
      company: null,
      email: c.email,
      phone: "+49 30 1234567",
      locale: "de",
    };
    const billingAddress = {
      name: `${c.firstName} ${c.lastName}`,
      company: null,
      street1: c.street,
      street2: null,
      postalCode: "10115",
      city: "Berlin",
      countryCode: "DE",
    };
    // Paid on time (ten days after ordering, before the due date): never a case.
    await db.insert(orders).values({
      shopId,
      platformOrderId: `rt-${c.tag}`,
      name: `#R-${c.tag}`,
      currency: "EUR",
      totalMinor: 4990,
      outstandingMinor: 0,
      financialStatus: "paid",
      paymentMethods: ["Rechnung"],
      isInvoice: true,
      orderedAt,
      dueDate: new Date(orderedAt.getTime() + 14 * DAY_MS).toISOString().slice(0, 10),
      platformUpdatedAt: at,
      customer,
      billingAddress,
      createdAt: orderedAt,
      updatedAt: at,
    });
    const body = JSON.stringify({
      id: `rt-${c.tag}`,
      financial_status: "paid",
      email: c.email,
      customer: { first_name: c.firstName, last_name: c.lastName, email: c.email },
      billing_address: { address1: c.street, zip: "10115", city: "Berlin" },
    });
    const delivery = (status: "processed" | "ignored" | "dead" | "rejected", topic: string) => ({
      platform: "shopify" as const,
      source: DEMO_SHOP_DOMAIN,
      shopId,
      topic,
      dedupeKey: `wh-${c.tag}-${status}`,
      headers: {
        "x-shopify-topic": topic,
        "x-shopify-shop-domain": DEMO_SHOP_DOMAIN,
        "x-shopify-webhook-id": `wh-${c.tag}-${status}`,
      },
      body,
      status,
      attempts: status === "dead" ? 8 : 1,
      lastError:
        status === "dead"
          ? `order rt-${c.tag} of ${c.email} could not be applied`
          : status === "rejected"
            ? "not an order this shop tracks"
            : null,
      triggeredAt: at,
      receivedAt: at,
      processedAt: new Date(at.getTime() + 2_000),
    });
    await db
      .insert(webhookInbox)
      .values([
        delivery("processed", "orders/paid"),
        delivery("ignored", "customers/update"),
        delivery("dead", "orders/updated"),
        delivery("rejected", "orders/create"),
      ]);
    await db.insert(outbox).values([
      // A reminder of another order that went out at the second attempt: its error quotes the address.
      {
        shopId,
        kind: "reminder.send",
        idempotencyKey: `rt-done-${c.tag}`,
        payload: { to: c.email, order: `#R-${c.tag}` },
        status: "done",
        attempts: 2,
        lastError: `550 <${c.email}>: mailbox busy`,
        result: { messageId: `<${c.tag}@mahnwerk>` },
        nextAttemptAt: at,
        createdAt: at,
        updatedAt: at,
      },
      // Dead calls keep their payload for support's retry (docs/privacy.md): a person of their own.
      {
        shopId,
        kind: "reminder.send",
        idempotencyKey: `rt-dead-${c.tag}`,
        payload: { to: `offen.${c.tag}@kundin.example` },
        status: "dead",
        attempts: 8,
        lastError: "550 no such mailbox",
        nextAttemptAt: at,
        createdAt: at,
        updatedAt: at,
      },
    ]);
  }
}

type StatusJson = { startedAt: string; finishedAt: string; removed: Record<string, number>; error: string | null };

beforeAll(() => ensureBuild(), 300_000);

describe(`a demo that has run for 120 simulated days (${ENGINE})`, () => {
  let app: AppDatabase;
  let env: Record<string, string>;
  let server: RunningServer | null = null;
  let worker: RunningProcess | null = null;
  let database: Database | null = null;
  let shopId: string;

  const cli = async (...args: string[]) => {
    const result = await runMahnwerk(args, env);
    expect(result.code, `${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  /** The database for the test's own SQL: on PGlite only while the server is stopped. */
  const open = async (): Promise<Db> => {
    if (ENGINE === "pglite") await server?.stop();
    database ??= await app.open();
    return database.db;
  };
  const release = async () => {
    if (ENGINE === "pglite") {
      await database?.close();
      database = null;
    }
  };
  const start = async () => {
    if (ENGINE === "pglite") server = await startServer(env);
  };
  /** The process that runs jobs: the web process on PGlite, the worker on PostgreSQL. */
  const jobRunner = () => (ENGINE === "pglite" ? server! : worker!);
  const query = async <T>(db: Db, text: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(text));

  beforeAll(async () => {
    app = await createAppDatabase(ENGINE);
    // debug: the job runner's "job done" lines. DEMO is unset on the embedded database, as `npm start` runs it.
    env = { ...app.serverEnv, LOG_LEVEL: "debug", ...(ENGINE === "postgres" ? { DEMO: "1" } : {}) };
    if (ENGINE === "postgres") {
      server = await startServer({ ...env, WORKERS: "0" });
      worker = await startWorker(env);
    } else {
      server = await startServer(env);
    }
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await database?.close();
    await app?.dispose();
  });

  test("no inbox body past 7 days, no failed delivery or outbox payload past 30, no personal data of orders paid on time; the last run in retention status", async () => {
    // A fresh demo: seeded, never swept.
    const health = (await (await fetch(`${server!.url}/healthz`)).json()) as { retention: unknown };
    expect(health.retention).toBeNull();
    // Staff open a case in the demo tab: an access-log entry, kept a year.
    const list = await (await fetch(`${server!.url}/app?locale=en`)).text();
    const caseId = /<tr id="([0-9a-f-]{36})"/.exec(list)?.[1];
    expect(caseId, "a case link in the demo's case list").toBeDefined();
    expect((await fetch(`${server!.url}/app/cases/${caseId}?locale=en`)).status).toBe(200);

    const runs: StatusJson[] = [];
    for (let step = 1; step <= STEPS; step++) {
      const db = await open();
      if (step === 1) {
        const [shop] = await db.select({ id: shops.id }).from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN));
        shopId = shop!.id;
      }
      await ageThirtyDays(db);
      await addTraffic(db, shopId, step, Date.now());
      await release();
      if (step < STEPS) {
        // Support runs the sweep by hand (beside the running worker on PostgreSQL); the last step is the worker's job.
        const report = JSON.parse(await cli("retention", "run", "--json")) as StatusJson & { dryRun: boolean };
        expect(report.error).toBeNull();
        expect(report.removed, `step ${step}`).toEqual(expectedRemoved(step));
        runs.push(report);
      } else {
        // The daily job, queued now; the worker runs it and logs what it removed.
        const done = () =>
          jobRunner()
            .output()
            .match(/"job":"retention\.sweep".*"msg":"job done"/g)?.length ?? 0;
        const before = ENGINE === "pglite" ? 0 : done();
        await cli("jobs", "run", "retention.sweep", "--json");
        await start();
        await waitFor(`the retention job of step ${step}`, async () => done() > before, 60_000);
        const logged = jobRunner()
          .output()
          .split("\n")
          .filter((line) => line.includes('"msg":"retention sweep"'))
          .map((line) => JSON.parse(line) as { removed: Record<string, number>; error: string | null });
        expect(logged.at(-1)?.error ?? null).toBeNull();
        expect(logged.at(-1)?.removed, `step ${step}`).toEqual(expectedRemoved(step));
        const healthz = (await (await fetch(`${server!.url}/healthz`)).json()) as { retention: StatusJson };
        expect(healthz.retention.removed).toEqual(expectedRemoved(step));
        runs.push(healthz.retention);
      }
    }

    const db = await open();
    const count = async (text: ReturnType<typeof sql>) =>
      Number((await query<{ n: number }>(db, sql`select count(*)::int as n from ${text}`))[0]!.n);

    // Past their periods: nothing left.
    expect(
      await count(
        sql`webhook_inbox where status in ('processed', 'ignored') and received_at < now() - interval '7 days' and (body <> ${REDACTED_BODY} or headers <> '{}'::jsonb)`,
      ),
    ).toBe(0);
    expect(
      await count(sql`webhook_inbox where status in ('dead', 'rejected') and received_at < now() - interval '30 days'`),
    ).toBe(0);
    expect(
      await count(
        sql`outbox where status = 'done' and updated_at < now() - interval '30 days' and (payload <> '{"redacted":true}'::jsonb or last_error is not null)`,
      ),
    ).toBe(0);
    expect(
      await count(sql`orders o where financial_status = 'paid' and outstanding_minor <= 0 and updated_at < now() - interval '30 days'
        and not exists (select from cases c where c.order_id = o.id)
        and (customer->>'firstName' is not null or customer->>'lastName' is not null or customer->>'email' is not null or customer->>'phone' is not null or billing_address is not null)`),
    ).toBe(0);

    // The rows stay where the rule clears rather than deletes: 32 of each kind, all but the youngest cleared.
    const inbox = await query<{ status: string; n: number; intact: number }>(
      db,
      sql`select status, count(*)::int as n, count(*) filter (where body <> ${REDACTED_BODY} and headers <> '{}'::jsonb)::int as intact from webhook_inbox group by status order by status`,
    );
    const young = (days: number) => AGES.filter((a) => a < days).length;
    expect(inbox).toEqual([
      { status: "dead", n: young(30), intact: young(30) },
      { status: "ignored", n: STEPS * AGES.length, intact: young(7) },
      { status: "processed", n: STEPS * AGES.length, intact: young(7) },
      { status: "rejected", n: young(30), intact: young(30) },
    ]);
    // The test's own calls: the demo's sweep may queue reminders of its own cases as the days pass (inside the send window).
    const calls = await query<{ status: string; n: number; intact: number }>(
      db,
      sql`select status, count(*)::int as n, count(*) filter (where payload <> '{"redacted":true}'::jsonb)::int as intact from outbox where idempotency_key like 'rt-%' group by status order by status`,
    );
    expect(calls).toEqual([
      { status: "dead", n: STEPS * AGES.length, intact: STEPS * AGES.length },
      { status: "done", n: STEPS * AGES.length, intact: young(30) },
    ]);
    const paid = await query<{ n: number; intact: number; named: number }>(
      db,
      sql`select count(*)::int as n, count(*) filter (where customer->>'email' is not null and billing_address is not null)::int as intact,
        count(*) filter (where name like '#R-%' and total_minor = 4990)::int as named from orders where platform_order_id like 'rt-%'`,
    );
    expect(paid).toEqual([{ n: STEPS * AGES.length, intact: young(30), named: STEPS * AGES.length }]);
    // The demo's own orders all have a case: 120 days on, their customers are still there, and so is the tab's opening.
    const demo = await query<{ n: number; intact: number }>(
      db,
      sql`select count(*)::int as n, count(*) filter (where customer->>'email' is not null)::int as intact from orders where platform_order_id not like 'rt-%'`,
    );
    expect(demo).toEqual([{ n: 36, intact: 36 }]);
    expect(await count(sql`access_log where case_id = ${caseId} and at < now() - interval '119 days'`)).toBe(1);

    // Nowhere in the database — no table, no column — is a customer whose order was paid on time more than 30 days ago.
    const gone: ReturnType<typeof customerOf>[] = [];
    const kept: ReturnType<typeof customerOf>[] = [];
    for (let step = 1; step <= STEPS; step++) {
      for (const index of AGES.keys()) {
        const c = customerOf(step, index);
        (c.age + (STEPS - step) * 30 >= 30 ? gone : kept).push(c);
      }
    }
    const tables = await query<{ name: string }>(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    let everything = "";
    for (const { name } of tables) {
      for (const row of await query<{ t: string }>(db, sql`select t::text as t from ${sql.identifier(name)} t`))
        everything += `${row.t}\n`;
    }
    const found = gone.flatMap((c) => [c.email, c.lastName, c.street].filter((value) => everything.includes(value)));
    expect(found).toEqual([]);
    expect(kept.every((c) => everything.includes(c.email) && everything.includes(c.lastName))).toBe(true);
    await release();

    // Support asks for the last run: the worker's on step 4, after support's own on step 3.
    const status = JSON.parse(await cli("retention", "status", "--json")) as StatusJson;
    expect(status).toEqual(runs.at(-1));
    expect(status.removed).toEqual(expectedRemoved(STEPS));
    expect(Date.parse(status.startedAt)).toBeGreaterThan(Date.parse(runs.at(-2)!.finishedAt));
    const text = await cli("retention", "status");
    expect(text).toContain(`Last retention sweep: ${status.finishedAt} (started ${status.startedAt})`);
    for (const rule of RETENTION_RULES.filter((r) => r.enforced)) {
      expect(text).toMatch(new RegExp(`^${rule.id.replace(".", "\\.")}\\s+.*\\s${status.removed[rule.id]}$`, "m"));
    }
    expect(text).toMatch(/^inbox\.bodies\s+webhook_inbox\s+7 days after .*\s16$/m);
  }, 300_000);
});
