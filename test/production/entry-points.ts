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
  ["webhook receive", () => import("#app/web/webhook-receive.server")],
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
      return createRivertyAdapter({
        baseUrl: "https://riverty.example",
        authUrl: "https://auth.example/oauth/token",
        audience: "a",
        clientId: "c",
        clientSecret: "s",
      });
    },
  ],
  [
    "mediafinanz client",
    async () => {
      const { createMediafinanzAdapter } = await import("#adapters/partners/mediafinanz/adapter");
      const { startSandboxPartner } = await import("#adapters/partners/sandbox/server");
      // Over a real socket: the adapter's fetch and the sandbox's node:http as Node loads them.
      const sandbox = await startSandboxPartner({ port: 0 });
      try {
        const { baseUrl, uuid, user, password, answers } = sandbox.mediafinanz;
        const adapter = createMediafinanzAdapter({ baseUrl, uuid, user, password }, answers);
        const checked = await adapter.checkConnection();
        if (checked.kind !== "ok") throw new Error(checked.reason);
        return adapter;
      } finally {
        await sandbox.close();
      }
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
    "qr codes",
    async () => {
      const { qrModules, qrPng } = await import("#app/mail/qr-code.server");
      if (qrModules("BCD\n002").size < 21) throw new Error("no QR modules");
      const png = await qrPng("https://example.com/pay");
      if (png.subarray(1, 4).toString() !== "PNG") throw new Error("not a PNG");
    },
  ],
  [
    "pdf renderer",
    async () => {
      const { renderSampleLetter } = await import("#test/support/letter");
      const pdf = await renderSampleLetter({ name: "Erika Mustermann", street: "Hafenstraße 1" });
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
