import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { and, eq } from "drizzle-orm";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { migrateDatabase, openDatabase } from "#app/db/client.server";
import { shops } from "#app/db/schema";
import { seedDemo } from "#app/demo/seed.server";
import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { updateSettings } from "#app/services/settings/settings.server";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";
import { type AppDatabase, createAppDatabase } from "#test/support/app-database";
import { postgresTestUrl } from "#test/support/db";
import { hasQrTools, qrToolsRequired, readQrCodesFromPng } from "#test/support/qr";
import {
  ensureBuild,
  freePort,
  runMahnwerk,
  type RunningProcess,
  type RunningServer,
  startServer,
  startWorker,
} from "#test/support/server";
import { waitFor } from "#test/support/wait";

/*
 * Issue 23's demo "done when", as `npm start` runs the demo (no SMTP: reminders land in DATA_DIR/mailbox): a
 * reminder carries a pay-now link into the demo's payment page and a GiroCode that decodes to the shop's bank account
 * and the amount the reminder asks for; paying on that page ends the case as paid, and the reports count the money as
 * recovered through the link. On the embedded database the server's own schedule sends the seeded reminders (the CLI
 * cannot open a database the server holds); on PostgreSQL `DEMO=1 WORKERS=0 npm start` beside `npm run worker`, and
 * the CLI queues the sweep.
 */

const ENGINE = postgresTestUrl() ? "postgres" : "pglite";

beforeAll(() => ensureBuild(), 300_000);

describe.skipIf(!hasQrTools && !qrToolsRequired)(`the demo's reminders: pay-now link and GiroCode (${ENGINE})`, () => {
  let app: AppDatabase;
  let server: RunningServer;
  let worker: RunningProcess | null = null;
  let env: Record<string, string>;

  const cli = async (...args: string[]) => {
    const result = await runMahnwerk(args, env);
    expect(result.code, `${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  /** The case page of the order's case in the demo tab. */
  const casePage = async (orderName: string) => {
    const list = await (await fetch(`${server.url}/app?q=${encodeURIComponent(orderName)}&locale=en`)).text();
    const caseId = /<tr id="([0-9a-f-]{36})"/.exec(list)?.[1];
    expect(caseId, `the case of ${orderName} in the tab`).toBeDefined();
    return (await fetch(`${server.url}/app/cases/${caseId}?locale=en`)).text();
  };

  beforeAll(async () => {
    app = await createAppDatabase(ENGINE);
    // PORT for the worker too: links in the mails it writes point at the web process (http://localhost:PORT).
    env = {
      ...app.serverEnv,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "mahnwerk-demo-pay-")),
      PORT: String(await freePort()),
    };
    // The demo sends reminders from 08:00 to 20:00 in Berlin; seeded first with a window of the whole day, the test
    // does not depend on the hour it runs at (the seed keeps settings already changed).
    const options =
      ENGINE === "postgres"
        ? { engine: "postgres" as const, url: env.DATABASE_URL! }
        : { engine: "pglite" as const, dataDir: env.DATA_DIR! };
    const seeded = await openDatabase(options);
    await migrateDatabase(options, seeded);
    await seedDemo(seeded.db, new Date());
    const [demo] = await seeded.db
      .select()
      .from(shops)
      .where(and(eq(shops.platform, "demo"), eq(shops.domain, DEMO_SHOP_DOMAIN)));
    const saved = await updateSettings(
      seeded.db,
      demo!.id,
      { sendWindow: { startHour: 0, endHour: 24, skipSundays: false } },
      { changedBy: "test", now: new Date() },
    );
    expect(saved.ok).toBe(true);
    await seeded.close();
    if (ENGINE === "postgres") {
      env.DEMO = "1";
      server = await startServer({ ...env, WORKERS: "0" });
      worker = await startWorker(env);
    } else {
      server = await startServer(env);
    }
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    rmSync(env.DATA_DIR!, { recursive: true, force: true });
    await app?.dispose();
  });

  test("a reminder's link pays the order on the demo payment page; its GiroCode decodes to account and amount", async () => {
    if (ENGINE === "postgres") await cli("jobs", "run", "outbox.sweep");
    const mailbox = path.join(env.DATA_DIR!, "mailbox");
    const mail = await waitFor(
      "a demo reminder in the mailbox",
      async () => {
        const files = (() => {
          try {
            return readdirSync(mailbox);
          } catch {
            return [];
          }
        })();
        for (const file of files) {
          const parsed = await simpleParser(readFileSync(path.join(mailbox, file)));
          if (parsed.text?.includes("/demo/pay/")) return parsed;
        }
        return null;
        // The scheduled sweep runs once a minute.
      },
      120_000,
    );

    const orderName = /Bestellung (#\d+)/.exec(mail.subject ?? "")?.[1] ?? /#\d{4}/.exec(mail.text ?? "")?.[0];
    expect(orderName, `an order number in "${mail.subject}"`).toBeDefined();
    const link = /Oder online bezahlen: (\S+)/.exec(mail.text ?? "")?.[1];
    expect(link).toMatch(/^http:\/\/localhost:\d+\/demo\/pay\/[0-9a-f-]{36}$/);
    expect(mail.html).toContain(`<a href="${link}">`);
    expectGiroCode(mail, orderName!);

    expect(await casePage(orderName!)).not.toContain(">Paid<");
    const page = await fetch(`${link}?locale=en`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`pay order ${orderName}`);
    expect(html).toContain("No money moves");
    const paid = await fetch(`${link}?locale=en`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain("your payment has been received");
    expect(await casePage(orderName!)).toContain(">Paid<");
    // Paying again finds nothing due and changes nothing.
    expect(await (await fetch(`${link}?locale=en`)).text()).toContain("Nothing is due on this order any more.");

    // The seeded demo has no payment through a link: this one is the first the reports count.
    const reports = await (await fetch(`${server.url}/app/reports?locale=en`)).text();
    expect(reports).toMatch(/Pay-now link: €[1-9][\d,.]*/);

    // Not a demo order, not an order at all: nothing to see or pay.
    const unknown = link!.replace(/[0-9a-f-]{36}$/, "00000000-0000-4000-8000-000000000000");
    expect((await fetch(unknown)).status).toBe(404);
    expect((await fetch(unknown, { method: "POST" })).status).toBe(404);
    expect((await fetch(link!.replace(/[0-9a-f-]{36}$/, "not-a-uuid"))).status).toBe(404);
  }, 180_000);
});

/** The GiroCode shown in the HTML mail decodes to the demo's bank account, the total the mail asks for and the order. */
function expectGiroCode(mail: ParsedMail, orderName: string) {
  const picture = mail.attachments.find((a) => a.cid === "girocode@mahnwerk");
  expect(picture, "the GiroCode as an inline picture").toBeDefined();
  const [code] = readQrCodesFromPng(picture!.content);
  const lines = code!.split("\n");
  expect(lines.slice(0, 7)).toEqual([
    "BCD",
    "002",
    "1",
    "SCT",
    "COBADEFFXXX",
    "Demo-Shop GmbH",
    "DE89370400440532013000",
  ]);
  expect(lines[7]).toMatch(/^EUR\d+\.\d{2}$/);
  // The amount the text asks for, as printed in German ("Gesamtbetrag: 1.234,56 €").
  const asked = lines[7]!.slice(3).replace(".", ",");
  expect(mail.text?.replace(/\./g, "")).toContain(asked);
  expect(lines.slice(8)).toEqual(["", creditorReference(orderName)]);
  expect(mail.text).toContain(`Verwendungszweck: ${formatCreditorReference(creditorReference(orderName)!)}`);
}
