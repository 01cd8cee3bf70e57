// Run with tsx, as `npm start` and `npm run worker` run the app (Node's own ES module loader, no vitest transform):
// loads every entry point's module graph and constructs each outside client, one "ok <name>" line each. A CommonJS
// default import that vitest resolves and Node does not fails here. Needs the build (build/server/index.js).
import path from "node:path";
import { pathToFileURL } from "node:url";

const checks: [string, () => Promise<unknown>][] = [
  // The built Remix server that npm start serves: every route's module graph as bundled.
  ["remix build", () => import(pathToFileURL(path.resolve("build/server/index.js")).href)],
  ["web and worker process", () => import("#app/process.server")],
  ["job handlers", () => import("#app/jobs/definitions.server")],
  ["webhook receive", () => import("#app/services/webhook-receive.server")],
  ["cli", () => import("#app/cli/mahnwerk")],
  [
    "woocommerce client",
    async () => {
      const { createWooClient } = await import("#adapters/woocommerce/client");
      return createWooClient({ storeUrl: "https://store.example", consumerKey: "ck_x", consumerSecret: "cs_x" });
    },
  ],
  [
    "riverty client",
    async () => {
      const { createRivertyAdapter } = await import("#adapters/partners/riverty/adapter");
      return createRivertyAdapter({ baseUrl: "https://riverty.example", authUrl: "https://auth.example/oauth/token", audience: "a", clientId: "c", clientSecret: "s" });
    },
  ],
  [
    "smtp transport",
    async () => {
      const { createMailer } = await import("#app/mail/mailer.server");
      createMailer("smtp://127.0.0.1:2525").close();
    },
  ],
  [
    "pg-boss",
    async () => {
      const { PgBoss } = await import("pg-boss");
      return new PgBoss({ connectionString: "postgres://postgres@127.0.0.1:1/none", schema: "pgboss" });
    },
  ],
  [
    "pdf renderer",
    async () => {
      const { renderReminderLetter } = await import("#app/mail/reminder-letter.server");
      const { renderReminder } = await import("#app/mail/reminder-templates");
      const { claimTotals } = await import("#app/domain/dunning/interest");
      const { money } = await import("#app/domain/money");
      const data = {
        customerName: "Erika Mustermann",
        orderNumber: "#1001",
        amount: money(4_990, "EUR"),
        originalDueDate: "2026-01-15",
        fees: money(0, "EUR"),
        interest: money(0, "EUR"),
        total: money(4_990, "EUR"),
        paymentDeadline: "2026-02-01",
        paymentInstructions: "IBAN: DE02 1203 0000 0000 2020 51",
        shopName: "Wollwerk",
        shopContact: "shop@wollwerk.example",
      };
      const reminder = renderReminder({ level: "reminder_1", language: "de", data });
      const totals = claimTotals({ outstanding: data.amount, feesPerLevelSent: {}, interest: data.interest, flatFee: null });
      if (!reminder.ok || !totals.ok) throw new Error("reminder or totals refused");
      const address = { name: "Wollwerk", street: "Hafenstraße 1", postalCode: "20457", city: "Hamburg", country: "DE" };
      const pdf = await renderReminderLetter({ language: "de", sender: address, recipient: address, date: "2026-02-01", orderNumber: "#1001", reminder: reminder.value, totals: totals.value });
      if (Buffer.from(pdf.subarray(0, 5)).toString() !== "%PDF-") throw new Error("not a PDF");
    },
  ],
];

let failed = 0;
for (const [name, check] of checks) {
  try {
    await check();
    process.stdout.write(`ok ${name}\n`);
  } catch (error) {
    failed += 1;
    process.stdout.write(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
