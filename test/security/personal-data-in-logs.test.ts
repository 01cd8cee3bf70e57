import { randomBytes } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type Database, openDatabase } from "#app/db/client.server";
import { wooOrder } from "#test/mocks/woocommerce";
import { type AppDatabase, createAppDatabase, rowsOf } from "#test/support/app-database";
import { postgresTestUrl } from "#test/support/db";
import {
  ensureBuild,
  freePort,
  runMahnwerk,
  type RunningProcess,
  type RunningServer,
  startServer,
  startWorker,
} from "#test/support/server";
import { wollwerkSettings } from "#test/support/settings-form";
import { type SmtpCapture, startSmtpCapture } from "#test/support/smtp";
import { startWooStandIn, TEST_CA_FILE, type WooStandIn } from "#test/support/standins/woocommerce-store";
import { waitFor } from "#test/support/wait";

/*
 * Logs carry ids, never names, addresses, e-mails or IBANs (data-retention issue, part 3). Customers with
 * distinctive values go through the processes users run — the built server as `npm start` starts it (beside
 * `npm run worker` on PostgreSQL), the CLI, a WooCommerce stand-in over https, a real SMTP server — from the signed
 * order.created webhook through two reminder levels; the SMTP server refuses the second customer's mailbox, so
 * error texts reach outbox.last_error and the case's block event. Then every line the processes wrote (at debug
 * level), every error column and every case event's reason is searched for those values. One engine: PostgreSQL
 * when TEST_DATABASE_URL is set, else PGlite (the processes are the same; running both doubles a slow test).
 */

const ENGINE = postgresTestUrl() ? ("postgres" as const) : ("pglite" as const);
const ENCRYPTION_KEY = randomBytes(32).toString("hex");
const STAFF = { id: 1, name: "Greta Wolle", email: "greta@wollwerk.example" };

/** Mail to this customer is refused by the SMTP server (550, which echoes the address as real servers do). */
const REFUSED = {
  firstName: "Vexmorrow",
  lastName: "Quiggleton",
  email: "vexmorrow.quiggleton@example.de",
  phone: "0221 84629173",
  street: "Plimsollgasse 41",
  city: "Drommelsiek",
  company: "Brindlewick KG",
  iban: "DE44 5001 0517 5407 3249 31",
};
const ACCEPTED = {
  firstName: "Zyxwvuta",
  lastName: "Quorblefinch",
  email: "zyxwvuta.quorblefinch@example.de",
  phone: "0221 73946158",
  street: "Quorbleweg 77",
  city: "Vexhausen",
  company: "Glimmerfrost GmbH",
  iban: "DE89 3704 0044 0532 0130 00",
};
type Customer = typeof ACCEPTED;

function orderFor(id: number, c: Customer) {
  const address = {
    first_name: c.firstName,
    last_name: c.lastName,
    company: c.company,
    address_1: c.street,
    address_2: "",
    city: c.city,
    state: "",
    postcode: "50999",
    country: "DE",
  };
  return wooOrder(id, {
    date_created_gmt: "2026-10-01T09:20:05",
    date_created: "2026-10-01T11:20:05",
    billing: { ...address, email: c.email, phone: c.phone },
    shipping: { ...address, phone: c.phone },
    // Free text the buyer typed: an IBAN in it is personal data too.
    customer_note: `Bitte per Lastschrift von ${c.iban} einziehen`,
  });
}

/**
 * Every personal value in the forms a log line could carry it: as typed, lower-cased by the search, URL-encoded
 * (path and form style) and the IBAN without its spaces. The postcode is left out: five digits also occur in ports
 * and timings.
 */
function needles(c: Customer): { label: string; value: string }[] {
  const values: [string, string][] = [
    ["first name", c.firstName],
    ["last name", c.lastName],
    ["e-mail", c.email],
    ["phone", c.phone],
    ["phone", c.phone.replace(/\s/g, "")],
    ["street", c.street],
    ["city", c.city],
    ["company", c.company],
    ["IBAN", c.iban],
    ["IBAN", c.iban.replace(/\s/g, "")],
  ];
  const forms = new Map<string, string>();
  for (const [label, value] of values) {
    for (const form of [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])
      forms.set(form.toLowerCase(), label);
  }
  return [...forms].map(([value, label]) => ({ label, value }));
}

const NEEDLES = [...needles(ACCEPTED), ...needles(REFUSED)];

function leaksIn(source: string, text: string): string[] {
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const lower = line.toLowerCase();
    const hits = NEEDLES.filter((n) => lower.includes(n.value));
    if (hits.length)
      found.push(
        `${source}: [${[...new Set(hits.map((h) => `${h.label} "${h.value}"`))].join(", ")}] ${line.slice(0, 600)}`,
      );
  }
  return found;
}

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

beforeAll(() => ensureBuild(), 300_000);

describe(`personal data in logs, error columns and events (${ENGINE})`, () => {
  let appDb: AppDatabase;
  let store: WooStandIn;
  let smtp: SmtpCapture;
  let server: RunningServer;
  let worker: RunningProcess | null = null;
  let env: Record<string, string>;
  /** Output of every process that ran and ended, and of every CLI call. */
  const logs: { source: string; text: string }[] = [];
  let serverRuns = 0;

  const runningJobs = () => (worker ?? server).output();
  const jobsDone = (job: string) =>
    (runningJobs().match(new RegExp(`"job":"${job.replace(".", "\\.")}".*"msg":"job done"`, "g")) ?? []).length;

  const stopServer = async () => {
    await server.stop();
    logs.push({ source: `server run ${serverRuns}`, text: server.output() });
  };
  const startAppServer = async () => {
    serverRuns += 1;
    server = await startServer(ENGINE === "postgres" ? { ...env, WORKERS: "0" } : env);
  };
  /** The embedded database belongs to one process: the CLI and this test use it only while the server is stopped. */
  const whileStopped = async (work: () => Promise<void>) => {
    if (ENGINE === "postgres") return work();
    await stopServer();
    await work();
    await startAppServer();
  };
  const withDatabase = async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
    // Opened as the server left it (the server migrates): a second migration run from here could race its own.
    const database =
      ENGINE === "pglite"
        ? await openDatabase({ engine: "pglite", dataDir: appDb.serverEnv.DATA_DIR! })
        : await appDb.open();
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };
  const cli = async (...args: string[]) => {
    const result = await runMahnwerk(args, env);
    logs.push({ source: `cli ${args.join(" ")}`, text: `${result.stdout}\n${result.stderr}` });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  };
  /** Queues a periodic job with the CLI and waits until the worker (or the embedded server) has run it. */
  const runJob = async (job: string) => {
    // A restarted embedded server starts a fresh output; the long-running worker's already holds earlier runs.
    const before = ENGINE === "postgres" ? jobsDone(job) : 0;
    await whileStopped(() => cli("jobs", "run", job));
    await waitFor(`${job} done`, async () => jobsDone(job) > before, 90_000);
  };

  beforeAll(async () => {
    store = await startWooStandIn({ name: "Wollwerk" });
    smtp = await startSmtpCapture({ rejectRecipients: new RegExp(REFUSED.email.replace(".", "\\.")) });
    appDb = await createAppDatabase(ENGINE);
    const port = await freePort();
    env = {
      ...appDb.serverEnv,
      DEMO: "0",
      // The stand-in store listens on https://127.0.0.1.
      ALLOW_PRIVATE_NETWORK: "1",
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      ENCRYPTION_KEY,
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
      SMTP_URL: smtp.url,
      MAIL_FROM: "mahnwerk@wollwerk.example",
      // The most the processes ever write: whatever debug lines carry is searched too.
      LOG_LEVEL: "debug",
    };
    await startAppServer();
    if (ENGINE === "postgres") worker = await startWorker(env);
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    await Promise.all([store?.close(), smtp?.close()]);
    await appDb?.dispose();
  });

  test("webhook → case → reminders, one refused by the mail server: no log line, error column or event reason names the customer", async () => {
    const connected = await fetch(
      `${server.url}/woocommerce/connect`,
      form({ intent: "manual", storeUrl: store.url, ...store.store.state.keys }),
    );
    expect(connected.status, server.output()).toBe(200);

    const signedIn = await fetch(store.signInLink(server.url, STAFF), { redirect: "manual" });
    const cookie = signedIn.headers.get("set-cookie")?.split(";")[0];
    if (!cookie) throw new Error("no staff cookie");
    const page = await (await fetch(`${server.url}/app/settings?locale=en`, { headers: { cookie } })).text();
    const version = /name="expectedVersion" value="(\d+)"/.exec(page)?.[1];
    if (!version) throw new Error("no settings form");
    const saved = await fetch(`${server.url}/app/settings?locale=en`, form(wollwerkSettings(version), cookie));
    expect(saved.status).toBe(200);

    store.addOrder(orderFor(4711, ACCEPTED));
    store.addOrder(orderFor(4712, REFUSED));
    for (const id of [4711, 4712])
      expect((await store.deliver("order.created", store.store.state.orders.get(id))).status).toBe(200);
    // A delivery the app cannot read (text where an amount belongs): its rejection reason lands in webhook_inbox.last_error.
    expect(
      (
        await store.deliver("order.created", {
          ...orderFor(4713, ACCEPTED),
          total: `${ACCEPTED.lastName} ${ACCEPTED.iban}`,
        })
      ).status,
    ).toBe(200);
    await waitFor("the deliveries processed", async () => jobsDone("inbox.process") >= 3, 90_000);

    const outboxRows = () =>
      withDatabase(async (d) =>
        rowsOf<{ status: string }>(await d.db.execute(sql`select status from outbox where kind = 'reminder.send'`)),
      );
    // First level: the case opens and the reminder goes out (the refused customer's is bounced).
    await runJob("dunning.sweep");
    await runJob("outbox.sweep");
    await waitFor("the first reminder accepted", async () => smtp.messages.length >= 1);
    // The schedule's days pass (the next step due in the case row and in its event state): the second level.
    await whileStopped(() =>
      withDatabase(async (d) => {
        const past = new Date(Date.now() - 60_000).toISOString();
        await d.db.execute(
          sql`update cases set next_action_at = ${past}::timestamptz, state = jsonb_set(state, '{nextActionAt}', to_jsonb(${past}::text)) where status = 'running'`,
        );
      }),
    );
    await runJob("dunning.sweep");
    await runJob("outbox.sweep");
    await waitFor("the second reminder accepted", async () => smtp.messages.length >= 2);

    await worker?.stop();
    if (worker) logs.push({ source: "worker", text: worker.output() });
    await stopServer();

    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([[ACCEPTED.email], [ACCEPTED.email]]);
    expect((await outboxRows()).map((r) => r.status).sort()).toEqual(["dead", "done", "done"]);

    const stored = await withDatabase(async (d) => {
      // Every error column there is, found by name so a new one is searched too.
      const columns = rowsOf<{ table_name: string; column_name: string }>(
        await d.db.execute(
          sql`select table_name, column_name from information_schema.columns where table_schema = current_schema() and column_name in ('last_error', 'error')`,
        ),
      );
      const texts: { source: string; text: string }[] = [];
      for (const { table_name: table, column_name: column } of columns) {
        const rows = rowsOf<{ id: string; value: string }>(
          await d.db.execute(
            sql.raw(`select id::text as id, "${column}" as value from "${table}" where "${column}" is not null`),
          ),
        );
        for (const row of rows) texts.push({ source: `${table}.${column} ${row.id}`, text: row.value });
      }
      // An event's reason is a log of why something happened; its data is the case's record (the letter's address).
      const events = rowsOf<{ id: string; type: string; reason: string | null; actor_name: string | null }>(
        await d.db.execute(
          sql`select id::text as id, type, reason, actor_name from case_events where reason is not null or actor_name is not null`,
        ),
      );
      for (const e of events)
        texts.push({
          source: `case_events.reason/actor_name ${e.type} ${e.id}`,
          text: `${e.reason ?? ""} ${e.actor_name ?? ""}`,
        });
      return texts;
    });
    // The failure paths happened: without these the search below proves nothing.
    expect(stored.some((s) => s.source.startsWith("outbox.last_error"))).toBe(true);
    expect(stored.some((s) => s.source.startsWith("webhook_inbox.last_error"))).toBe(true);
    expect(stored.some((s) => s.source.startsWith("case_events.reason"))).toBe(true);

    // The search finds the values where they belong (the reminder itself), and the processes did write at debug level.
    expect(leaksIn("reminder", smtp.messages[0]!.parsed.text ?? "")).not.toEqual([]);
    expect(logs.some((l) => l.text.includes('"level":20'))).toBe(true);
    const leaks = [...logs, ...stored].flatMap(({ source, text }) => leaksIn(source, text));
    expect(leaks, leaks.join("\n")).toEqual([]);
  }, 600_000);
});
