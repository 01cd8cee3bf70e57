import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import express from "express";

import { startProcess } from "#app/process.server";
import { refuseBody } from "#app/utils/body-limits.server";
import { logger } from "#app/utils/logger.server";
import { handleWebhookRequest, webhookTarget } from "#app/web/webhook-receive.server";

/**
 * The web process: Remix app + (unless WORKERS=0) the background workers, for the embedded default.
 * Production on PostgreSQL may run this with WORKERS=0 next to any number of `npm run worker` processes.
 */
const running = await startProcess({ role: "web" });
const { env } = running;
const production = env.NODE_ENV === "production";

const app = express();
app.disable("x-powered-by");
app.use((req, res, next) => {
  const requestId = req.get("x-request-id") || randomUUID();
  res.setHeader("x-request-id", requestId);
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    logger.info(
      {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      },
      "request",
    );
  });
  next();
});

// Absolute links are built from the configured address only; a request naming another host is refused, so a forged
// Host header meets no page at all. /healthz stays open to load balancers, which probe by IP.
if (env.refuseOtherHosts) {
  const expected = new URL(env.appUrl).host.toLowerCase();
  app.use((req, res, next) => {
    if (req.path === "/healthz" || (req.headers.host ?? "").toLowerCase() === expected) return next();
    res.status(421).type("text/plain").send(`This server answers for ${expected} only.`);
  });
  // A state-changing request from a page of another origin is refused (cross-site request forgery); browsers send
  // Origin on every cross-site POST. Webhooks, the key-exchange callback and /api/v1 are called by servers, not pages.
  const origin = new URL(env.appUrl).origin;
  app.use((req, res, next) => {
    if (
      req.method === "GET" ||
      req.method === "HEAD" ||
      /^\/(webhooks|api)\/|^\/woocommerce\/(auth\/callback|staff\/removed)$/.test(req.path)
    )
      return next();
    const sent = req.headers.origin;
    if (sent === undefined || sent === origin) return next();
    res.status(403).type("text/plain").send("Cross-origin request refused.");
  });
}

// The standalone pages (WooCommerce staff, sign-in, connect) are never framed; the embedded Shopify tab sets its own
// frame-ancestors for the admin.
app.use((req, res, next) => {
  if (req.path.startsWith("/woocommerce/")) {
    res.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
    res.setHeader("X-Frame-Options", "DENY");
  }
  next();
});

app.use((req, res, next) => {
  const refused = refuseBody(req.method, req.path, req.headers);
  if (!refused) return next();
  // The body is not read: close the connection rather than drain it.
  res.setHeader("connection", "close");
  res.status(refused.status).type("text/plain").send(refused.message);
});

let build: ServerBuild | (() => Promise<ServerBuild>);
if (production) {
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  app.use(express.static("build/client", { maxAge: "1h" }));
  // Found from the working directory, as the static files above: this file runs as build/server.js (bin/build.ts).
  build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
} else {
  const vite = await import("vite").then((v) => v.createServer({ server: { middlewareMode: true } }));
  app.use(vite.middlewares);
  build = () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
}
// Routes see a Fetch Request without its socket: the peer's address comes along for rate limits (client-address.server.ts).
app.all(
  "*",
  createRequestHandler({
    build,
    mode: env.NODE_ENV,
    getLoadContext: (req): AppLoadContext => ({
      clientAddress: req.socket.remoteAddress,
      jobs: running.jobs,
      sandboxPartner: running.sandboxPartner,
    }),
  }),
);

// Webhook POSTs skip Express and Remix in production: the same receive as their routes, without per-request routing,
// Fetch Request building and a second log line (docs/performance.md, "Webhook ingest"). The dev server keeps them on
// the Remix routes, so edits to them reload.
const server = createServer((req, res) => {
  const target = production ? webhookTarget(req.method, req.url) : null;
  if (!target) return void app(req, res);
  handleWebhookRequest(target, req, res, running.jobs).catch((error: unknown) => {
    logger.error({ err: error, path: req.url }, "webhook");
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(env.PORT, env.HOST, () => {
  logger.info(
    { port: env.PORT, database: running.database.engine, demo: env.demoMode },
    `Mahnwerk is listening on http://localhost:${env.PORT}`,
  );
});

// Keep idle connections open longer than any client does (undici: 4 s, load balancers: 60 s): when the server
// closes first, a client that just reused the socket sees ECONNRESET for a delivery that was never read.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "shutting down");
    server.close();
    void running.stop().then(() => process.exit(0));
  });
}
