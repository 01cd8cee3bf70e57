import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { type SandboxPartner, startSandboxPartner } from "#adapters/partners/sandbox/server";
import { rowsOf } from "#app/db/client.server";
import { creditorReference } from "#app/domain/payments/creditor-reference";
import { wooOrder } from "#test/mocks/woocommerce";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "#test/support/db";
import { readQrCodesFromPdf, readQrCodesFromPng } from "#test/support/qr";
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
 * WooCommerce through the processes users run: the built server started as `npm start` starts it, on PostgreSQL
 * with `WORKERS=0` beside a separate `npm run worker`, and the support CLI; the store is a stand-in over https,
 * reminders go to a real SMTP server, claims to the sandbox partner over HTTP. Nothing is mocked inside the app.
 */

const ENCRYPTION_KEY = randomBytes(32).toString("hex");
const STAFF = { id: 1, name: "Greta Wolle", email: "greta@wollwerk.example" };
const ORDER_ID = 4711;

beforeAll(() => ensureBuild(), 300_000);

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

/** Connects a store with keys typed by hand on /woocommerce/connect, as a merchant does without the plugin. */
async function connectByHand(appUrl: string, store: WooStandIn): Promise<Response> {
  const { consumerKey, consumerSecret } = store.store.state.keys;
  return fetch(
    `${appUrl}/woocommerce/connect`,
    form({ intent: "manual", storeUrl: store.url, consumerKey, consumerSecret }),
  );
}

/** Connects through WooCommerce's key exchange: our page → the store's authorize page → key callback → return. */
async function connectByKeyExchange(appUrl: string, store: WooStandIn): Promise<Response> {
  const started = await fetch(`${appUrl}/woocommerce/connect`, form({ intent: "connect", storeUrl: store.url }));
  expect(started.status).toBe(302);
  const authorize = started.headers.get("location")!;
  expect(authorize.startsWith(`${store.url}/wc-auth/v1/authorize?`)).toBe(true);
  const approved = await store.visit(authorize);
  expect(approved.status).toBe(302);
  return fetch(approved.location!, { redirect: "manual" });
}

function expectWebhooksPinged(store: WooStandIn, appUrl: string) {
  const hooks = [...store.store.state.webhooks.values()];
  expect(hooks.map((h) => h.topic).sort()).toEqual([
    "order.created",
    "order.deleted",
    "order.restored",
    "order.updated",
  ]);
  for (const hook of hooks) expect(hook.delivery_url.startsWith(`${appUrl}/webhooks/woocommerce/`)).toBe(true);
  expect(store.pings.map((p) => p.status)).toEqual([200, 200, 200, 200]);
}

/** A staff session for the store, through the companion plugin's signed wp-admin link. */
async function signIn(appUrl: string, store: WooStandIn): Promise<string> {
  const res = await fetch(store.signInLink(appUrl, STAFF), { redirect: "manual" });
  expect(res.status).toBe(302);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("no staff cookie");
  return cookie;
}

const overdueOrder = () =>
  wooOrder(ORDER_ID, { date_created_gmt: "2026-10-01T09:20:05", date_created: "2026-10-01T11:20:05" });

describe("npm start on the embedded database", () => {
  let store: WooStandIn;
  let keyExchangeStore: WooStandIn;
  let server: RunningServer;
  let dataDir: string;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    store = await startWooStandIn({ name: "Wollwerk" });
    keyExchangeStore = await startWooStandIn({ name: "Garnhaus" });
    dataDir = mkdtempSync(path.join(tmpdir(), "mahnwerk-prod-"));
    port = await freePort();
    // debug: the job runner's "job done" lines tell when the delivery was processed.
    env = {
      DEMO: "0",
      DATA_DIR: dataDir,
      ENCRYPTION_KEY,
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "debug",
      ALLOW_PRIVATE_NETWORK: "1",
    };
    server = await startServer(env);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await store?.close();
    await keyExchangeStore?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("keys typed by hand connect the store: four webhooks, each pinged and answered 200", async () => {
    const res = await connectByHand(server.url, store);
    expect(res.status, server.output()).toBe(200);
    expect(await res.text()).toContain("is connected");
    expectWebhooksPinged(store, server.url);
  });

  test("the key exchange keeps the key (its callback answered 200) and brings the merchant back", async () => {
    const back = await connectByKeyExchange(server.url, keyExchangeStore);
    expect(back.status).toBe(200);
    expect(keyExchangeStore.callbacks).toEqual([{ status: 200, kept: true }]);
    expectWebhooksPinged(keyExchangeStore, server.url);
  });

  test("a signed order.created becomes an order; the sweep queued by the CLI opens its case after a restart", async () => {
    store.addOrder(overdueOrder());
    const delivered = await store.deliver("order.created", store.store.state.orders.get(ORDER_ID));
    expect(delivered.status).toBe(200);
    await waitFor("the delivery processed", async () =>
      /"job":"inbox\.process".*"msg":"job done"/.test(server.output()),
    );
    const cookie = await signIn(server.url, store);
    // The embedded database belongs to one process: the CLI works on it while the server is stopped.
    await server.stop();
    const domain = new URL(store.url).host;
    const inbox = await runMahnwerk(["inbox", "list", "--shop", domain, "--json"], env);
    expect(inbox.code, inbox.stderr).toBe(0);
    expect((JSON.parse(inbox.stdout) as { topic: string; status: string }[]).map((d) => [d.topic, d.status])).toEqual([
      ["order.created", "processed"],
    ]);
    const queued = await runMahnwerk(["jobs", "run", "dunning.sweep", "--json"], env);
    expect(queued.code, queued.stderr).toBe(0);
    server = await startServer(env);
    const tab = await waitFor("the case in the tab", async () => {
      const html = await (await fetch(`${server.url}/app?locale=en`, { headers: { cookie } })).text();
      return html.includes("Lukas Becker") ? html : null;
    });
    expect(tab).toContain("Waiting for approval");
  }, 180_000);

  test("staff start the case; the customer pays on the order's payment page: paid, and the report counts the pay-now link", async () => {
    const cookie = await signIn(server.url, store);
    const caseId = /<tr id="([0-9a-f-]{36})"/.exec(
      await (await fetch(`${server.url}/app?locale=en`, { headers: { cookie } })).text(),
    )?.[1];
    expect(caseId).toBeDefined();
    const started = await fetch(`${server.url}/app/cases/${caseId}?locale=en`, {
      ...form({ intent: "start", reason: "Overdue since October" }),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    });
    expect(started.status).toBeLessThan(400);
    const afterStart = await (
      await fetch(`${server.url}/app/cases/${caseId}?locale=en`, { headers: { cookie } })
    ).text();
    expect(afterStart).toContain(">Running<");
    // What WooCommerce does when the order is paid by card on its payment page: the gateway replaces the invoice
    // method, the order moves on to processing with its payment date.
    const order = store.store.state.orders.get(ORDER_ID)!;
    // Stamped in whole seconds, as WooCommerce does: one second on, so it is after the start (the report counts
    // only payments after a case was started).
    const paidAt = new Date(Date.now() + 1_000).toISOString().slice(0, 19);
    Object.assign(order, {
      status: "processing",
      payment_method: "stripe",
      payment_method_title: "Kreditkarte (Stripe)",
      date_paid_gmt: paidAt,
      date_paid: paidAt,
      date_modified_gmt: paidAt,
      date_modified: paidAt,
    });
    expect((await store.deliver("order.updated", order)).status).toBe(200);
    await waitFor("the case paid", async () =>
      (await (await fetch(`${server.url}/app/cases/${caseId}?locale=en`, { headers: { cookie } })).text()).includes(
        ">Paid<",
      ),
    );
    const report = await (await fetch(`${server.url}/app/reports?locale=en`, { headers: { cookie } })).text();
    expect(/Pay-now link:[^<]*/.exec(report)?.[0]).toBe("Pay-now link: €89.90 · Transfer: €0.00 · Partner: €0.00");
  }, 120_000);
});

describe.skipIf(!postgresTestUrl())(
  "WORKERS=0 npm start, npm run worker and the CLI on PostgreSQL (TEST_DATABASE_URL)",
  () => {
    let database: TestDatabase;
    let store: WooStandIn;
    let keyExchangeStore: WooStandIn;
    let smtp: SmtpCapture;
    let partner: SandboxPartner;
    let server: RunningServer;
    let worker: RunningProcess;
    let env: Record<string, string>;
    let cookie: string;
    const cli = async (...args: string[]) => {
      const result = await runMahnwerk(args, env);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const query = async <T>(text: ReturnType<typeof sql>) => rowsOf<T>(await database.db.execute(text));
    /** The schedule's days pass: the running case's next step (in its row and in its event state) is due now. */
    const daysPass = async () => {
      const past = new Date(Date.now() - 60_000).toISOString();
      await database.db.execute(
        sql`update cases set next_action_at = ${past}::timestamptz, state = jsonb_set(state, '{nextActionAt}', to_jsonb(${past}::text))`,
      );
    };
    /**
     * The first reminder offers the store's payment page of the order (read from the store as the mail was written)
     * and the GiroCode of the amount due; the letter staff print carries both as codes to scan.
     */
    const expectWaysToPay = async (mail: SmtpCapture["messages"][number]["parsed"]) => {
      const [order] = await query<{ name: string }>(sql`select name from orders`);
      const payUrl = String(store.store.state.orders.get(ORDER_ID)!.payment_url);
      expect(payUrl).toMatch(/^https:\/\/.*order-pay\/4711\//);
      expect(mail.text).toContain(`Oder online bezahlen: ${payUrl}`);
      expect(mail.html).toContain(`<a href="${payUrl.replace(/&/g, "&amp;")}">`);
      const giroCode = [
        ...["BCD", "002", "1", "SCT", "COBADEFFXXX", "Wollwerk GmbH", "DE89370400440532013000"],
        ...["EUR89.90", "", creditorReference(order!.name)!],
      ].join("\n");
      const picture = mail.attachments.find((a) => a.cid === "girocode@mahnwerk");
      expect(readQrCodesFromPng(picture!.content)).toEqual([giroCode]);
      const caseId = (await theCase())!.id;
      const letter = await fetch(`${server.url}/app/cases/${caseId}/letter.pdf`, { headers: { cookie } });
      expect(letter.status).toBe(200);
      expect(readQrCodesFromPdf(new Uint8Array(await letter.arrayBuffer()))).toEqual([giroCode, payUrl]);
    };
    const theCase = async () =>
      (
        await query<{ id: string; status: string; dunning_level: string | null }>(
          sql`select id, status, dunning_level from cases`,
        )
      )[0];

    beforeAll(async () => {
      database = await createTestDatabase("postgres", { migrate: false });
      if (database.options.engine !== "postgres") throw new Error("unreachable");
      store = await startWooStandIn({ name: "Wollwerk" });
      keyExchangeStore = await startWooStandIn({ name: "Garnhaus" });
      smtp = await startSmtpCapture();
      // Steps in time rather than per poll: one feed poll after the handover sees the claim paid in full.
      partner = await startSandboxPartner({ script: { advance: "time", stepMs: 50 } });
      const port = await freePort();
      env = {
        DEMO: "0",
        // The stand-in stores listen on https://127.0.0.1.
        ALLOW_PRIVATE_NETWORK: "1",
        PORT: String(port),
        APP_URL: `http://127.0.0.1:${port}`,
        DATABASE_URL: database.options.url,
        ENCRYPTION_KEY,
        NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
        SMTP_URL: smtp.url,
        MAIL_FROM: "mahnwerk@wollwerk.example",
        RIVERTY_ENDPOINTS: JSON.stringify({
          sandbox: { baseUrl: partner.url, authUrl: partner.authUrl, audience: partner.credentials.audience },
        }),
      };
      server = await startServer({ ...env, WORKERS: "0" });
      worker = await startWorker(env);
    }, 180_000);
    afterAll(async () => {
      await worker?.stop();
      await server?.stop();
      await Promise.all([store?.close(), keyExchangeStore?.close(), smtp?.close(), partner?.close()]);
      await database?.close();
    });

    test("keys typed by hand and the key exchange both connect a store, with four webhooks pinged", async () => {
      const res = await connectByHand(server.url, store);
      expect(res.status, server.output()).toBe(200);
      expect(await res.text()).toContain("is connected");
      expectWebhooksPinged(store, server.url);
      const back = await connectByKeyExchange(server.url, keyExchangeStore);
      expect(back.status).toBe(200);
      expect(keyExchangeStore.callbacks).toEqual([{ status: 200, kept: true }]);
      expectWebhooksPinged(keyExchangeStore, server.url);
    });

    test("staff from wp-admin set the sender, the send window, automatic handover and the partner", async () => {
      cookie = await signIn(server.url, store);
      const page = await (await fetch(`${server.url}/app/settings?locale=en`, { headers: { cookie } })).text();
      // The shipped base-rate table ends with the first half of 2026: the tab says interest stops at its last day.
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
        baseRates: { knownThrough: string; current: boolean };
      };
      expect(health.baseRates.knownThrough).toBe("2026-06-30");
      if (!health.baseRates.current) expect(page).toContain("Default interest only up to the last known base rate");
      const version = /name="expectedVersion" value="(\d+)"/.exec(page)?.[1];
      expect(version).toBeDefined();
      const saved = await fetch(`${server.url}/app/settings?locale=en`, {
        ...form(
          wollwerkSettings(version!, {
            "bankAccount.holder": "Wollwerk GmbH",
            "bankAccount.iban": "DE89 3704 0044 0532 0130 00",
            "bankAccount.bic": "COBADEFFXXX",
            "writeBack.tags": "on",
            "writeBack.metafield": "on",
            "writeBack.markAsPaid": "on",
          }),
        ),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      });
      expect(saved.status).toBe(200);
      const partnerSaved = await fetch(`${server.url}/app/settings?locale=en`, {
        ...form({
          intent: "savePartner",
          partner: "riverty",
          environment: "sandbox",
          clientId: partner.credentials.clientId,
          clientSecret: partner.credentials.clientSecret,
        }),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      });
      expect(partnerSaved.status).toBe(200);
      const [account] = await query<{ partner: string; environment: string }>(
        sql`select partner, environment from partner_accounts`,
      );
      expect(account).toEqual({ partner: "riverty", environment: "sandbox" });
    });

    test("order.created → tracked → overdue → three reminders by mail → handover → paid by the partner → written back to the store", async () => {
      store.addOrder(overdueOrder());
      const delivered = await store.deliver("order.created", store.store.state.orders.get(ORDER_ID));
      expect(delivered.status).toBe(200);
      const [inbox] = await waitFor("the delivery processed", async () => {
        const rows = await query<{ ms: number }>(
          sql`select extract(epoch from processed_at - received_at) * 1000 as ms from webhook_inbox where status = 'processed'`,
        );
        return rows.length > 0 ? rows : null;
      });
      process.stdout.write(`webhook receipt to processed order in the worker: ${Number(inbox!.ms).toFixed(0)} ms\n`);

      const mailsTo = (level: number) =>
        waitFor(`reminder mail ${level}`, async () => (smtp.messages.length >= level ? smtp.messages : null));
      const levels = ["reminder_1", "reminder_2", "final_reminder"];
      for (const [i, level] of levels.entries()) {
        if (i > 0) await daysPass();
        await cli("jobs", "run", "dunning.sweep");
        await waitFor(`the case at ${level}`, async () => (await theCase())?.dunning_level === level);
        await cli("jobs", "run", "outbox.sweep");
        const mails = await mailsTo(i + 1);
        expect(mails[i]!.envelope.to).toEqual(["lukas.becker@example.de"]);
        expect(mails[i]!.parsed.subject).toContain("4711");
        expect(mails[i]!.parsed.from?.text).toContain("mahnwerk@wollwerk.example");
        if (i === 0) await expectWaysToPay(mails[0]!.parsed);
      }
      expect((await theCase())!.status).toBe("running");

      await daysPass();
      // Counted before the sweep: the worker may pick up the handover on its own before the CLI's outbox run.
      const readsBefore = store.store.state.requests.filter(
        (r) => r.method === "GET" && r.path === `orders/${ORDER_ID}`,
      ).length;
      await cli("jobs", "run", "dunning.sweep");
      await waitFor("the case handed over", async () => (await theCase())?.status === "handed_over");
      await cli("jobs", "run", "outbox.sweep");
      await waitFor("the claim at the partner", async () => partner.claims().length === 1);
      // Right before the claim went out, the worker read the order again from the store (still on-hold: unpaid).
      expect(
        store.store.state.requests.filter((r) => r.method === "GET" && r.path === `orders/${ORDER_ID}`).length,
      ).toBeGreaterThan(readsBefore);
      await new Promise((r) => setTimeout(r, 500));
      await cli("jobs", "run", "partner.sync");
      await waitFor("the case paid", async () => (await theCase())?.status === "paid");

      const caseId = (await theCase())!.id;
      const shown = JSON.parse(await cli("cases", "show", caseId, "--shop", new URL(store.url).host, "--json")) as {
        status: string;
        events: { type: string }[];
      };
      expect(shown.status).toBe("paid");
      await cli("jobs", "run", "outbox.sweep");
      const order = store.store.state.orders.get(ORDER_ID)!;
      const status = () =>
        (order.meta_data as { key: string; value: unknown }[]).find((m) => m.key === "_mahnwerk_status")?.value;
      await waitFor("the paid status at the store", async () => status() === "paid");
      // A private note per status (running, handed over, paid): never a customer note, which would e-mail the buyer.
      // The meta is written before the note (a retry never leaves a note without it): wait for the notes too.
      const notes = await waitFor("a note per status", async () => {
        const written = store.store.state.notes.filter((n) => n.orderId === ORDER_ID);
        return written.length >= 3 ? written : null;
      });
      expect(notes.every((n) => !n.customer_note)).toBe(true);
      // The invoice order waited on-hold; paid, it moves on to processing as a payment would move it.
      expect(order.status).toBe("processing");
    }, 240_000);

    test("staff opening the case and its letter, and support's CLI, are in the access log support reads", async () => {
      const caseId = (await theCase())!.id;
      expect((await fetch(`${server.url}/app/cases/${caseId}?locale=en`, { headers: { cookie } })).status).toBe(200);
      const letter = await fetch(`${server.url}/app/cases/${caseId}/letter.pdf`, { headers: { cookie } });
      expect(letter.headers.get("content-type")).toBe("application/pdf");
      await letter.arrayBuffer();
      const page = await (
        await fetch(`${server.url}/app/access-log?case=${caseId}&locale=en`, { headers: { cookie } })
      ).text();
      expect(page).toContain("Letter (PDF)");
      const listed = JSON.parse(
        await cli(
          "access-log",
          "list",
          "--shop",
          new URL(store.url).host,
          "--case",
          caseId,
          "--actor",
          "Kim (support)",
          "--json",
        ),
      ) as {
        channel: string;
        actor: { id: string };
        what: string;
      }[];
      const seen = listed.map((e) => `${e.channel} ${e.what} ${e.actor.id.replace(/:.*/, ":")}`);
      expect(seen).toEqual(
        expect.arrayContaining(["tab case wp:", "tab letter wp:", "tab access_log wp:", "cli case os:"]),
      );
      const [last] = await query<{ actor_id: string; what: string }>(
        sql`select actor_id, what from access_log order by at desc limit 1`,
      );
      expect(last).toEqual({ actor_id: "Kim (support)", what: "access_log" });
    });
  },
);
