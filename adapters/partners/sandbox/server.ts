// The sandbox collection partner as a real HTTP server (node:http) speaking the Riverty Back in Flow protocol,
// so a shop (and the demo) runs the real Riverty adapter end to end without a contract. Failure injection is
// seeded: the same seed gives the same 503s.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { seededRandom } from "#app/utils/seeded-random";

import type { MediafinanzProtocol } from "../mediafinanz/protocol";
import { createSandboxEngine, type SandboxClaim, type SandboxEngine, type SandboxScript } from "./engine";
import {
  createMediafinanzSandbox,
  type MediafinanzSandbox,
  type MediafinanzSandboxOptions,
  SANDBOX_MEDIAFINANZ_ANSWERS,
} from "./mediafinanz-engine";

/** Where the sandbox speaks mediaFinanz's protocol, with the API version in the path as mediaFinanz has it. */
export const MEDIAFINANZ_PREFIX = "/mediafinanz/v2.2";

export type SandboxPartnerOptions = {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Added before every answer. */
  latencyMs?: number;
  /** Share (0..1) of /v1 requests answered 503 before anything happens. */
  failureRate?: number;
  seed?: number;
  script?: Partial<SandboxScript>;
  clientId?: string;
  clientSecret?: string;
  audience?: string;
  tokenTtlSeconds?: number;
  now?: () => number;
  /** The mediaFinanz protocol under /mediafinanz/v2.2 (mediafinanz-engine.ts). */
  mediafinanz?: Partial<MediafinanzSandboxOptions>;
};

export type SandboxPartner = {
  /** Base URL of the collection API (the adapter's baseUrl); the token endpoint is `${url}/oauth/token`. */
  url: string;
  authUrl: string;
  credentials: { clientId: string; clientSecret: string; audience: string };
  /** The same sandbox speaking mediaFinanz's REST protocol: its base URL, credentials and how it answers. */
  mediafinanz: {
    baseUrl: string;
    uuid: string;
    user: string;
    password: string;
    answers: MediafinanzProtocol;
    sandbox: MediafinanzSandbox;
  };
  close(): Promise<void>;
  claims(): SandboxClaim[];
  /** How many claims were created for an invoice number: exactly once is 1. */
  submissions(invoiceNumber: string): number;
  /**
   * The next `count` POSTs under /v1 (handovers under /mediafinanz, not dry runs) are carried out, but the connection
   * drops before the answer.
   */
  loseNextAnswers(count: number): void;
  /**
   * The partner goes down until called with null: "unavailable" answers every request (token too) 503 before
   * anything happens; "hang" holds requests unanswered and not carried out, and drops them when it ends;
   * "refuse" stops listening (connection refused) and listens on the same port again when it ends.
   */
  outage(mode: SandboxOutage | null): Promise<void>;
  /**
   * Changes the latency, for every request or only for API requests (/v1) of the given methods: above the client's
   * timeout, a request is carried out after the client gave up (the partner accepted, the answer never arrived).
   */
  setLatency(ms: number, methods?: string[]): void;
  /** Resolves once no request is being worked on (a late one has been carried out). */
  idle(): Promise<void>;
  /** Every request that reached the server, as "METHOD /path", in order (none while refusing connections). */
  requests(): string[];
  engine: SandboxEngine;
};

export type SandboxOutage = "unavailable" | "hang" | "refuse";

const MAX_BODY = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startSandboxPartner(options: SandboxPartnerOptions = {}): Promise<SandboxPartner> {
  const seed = options.seed ?? 1;
  const engine = createSandboxEngine({
    seed,
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.script ? { script: options.script } : {}),
  });
  const mediafinanz = createMediafinanzSandbox({ seed, ...options.mediafinanz });
  const failureRate = options.failureRate ?? 0;
  if (failureRate < 0 || failureRate > 1) throw new RangeError("failureRate must be between 0 and 1");
  let latencyMs = options.latencyMs ?? 0;
  let latencyMethods: string[] | null = null;
  let outage: SandboxOutage | null = null;
  const held = new Set<ServerResponse>();
  const log: string[] = [];
  let working = 0;
  const whenIdle: (() => void)[] = [];
  const done = () => {
    working -= 1;
    if (working === 0) for (const resolve of whenIdle.splice(0)) resolve();
  };
  // Its own stream, so injected failures do not shift the ids the engine draws.
  const failures = seededRandom(seed ^ 0x5eed);
  let answersToLose = 0;

  const server = createServer((req, res) => {
    working += 1;
    void (async () => {
      const url = new URL(req.url ?? "/", "http://sandbox.local");
      log.push(`${req.method ?? "GET"} ${url.pathname}`);
      if (outage === "unavailable") {
        send(res, 503, { title: "Service Unavailable", status: 503, detail: "the sandbox partner is down" });
        return;
      }
      if (outage === "hang") {
        held.add(res);
        return;
      }
      let body: string;
      try {
        body = await readBody(req);
      } catch {
        send(res, 413, { title: "Payload too large", status: 413 });
        return;
      }
      const isMediafinanz = url.pathname.startsWith(`${MEDIAFINANZ_PREFIX}/`);
      const isApi = url.pathname.startsWith("/v1/") || isMediafinanz;
      const delayed = !latencyMethods || (isApi && latencyMethods.includes(req.method ?? "GET"));
      if (latencyMs > 0 && delayed) await new Promise((r) => setTimeout(r, latencyMs));
      if (isApi && failureRate > 0 && failures() < failureRate) {
        // mediaFinanz answers a 5xx as a plain error string, not JSON.
        if (isMediafinanz) sendText(res, 503, "Service temporarily unavailable");
        else send(res, 503, { title: "Service Unavailable", status: 503, detail: "injected by the sandbox" });
        return;
      }
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
      };
      const answer = isMediafinanz
        ? mediafinanz.handle({
            method: req.method ?? "GET",
            path: url.pathname.slice(MEDIAFINANZ_PREFIX.length),
            headers: header,
            body,
          })
        : engine.handle({
            method: req.method ?? "GET",
            path: url.pathname,
            query: url.searchParams,
            authorization: header("authorization"),
            clientRequestId: header("x-request-id"),
            body,
          });
      // A dry run (validate: 1) stores nothing: losing its answer tests nothing.
      const creates = isMediafinanz ? req.method === "PUT" && header("validate") !== "1" : req.method === "POST";
      if (isApi && creates && answersToLose > 0) {
        answersToLose -= 1;
        req.socket.destroy();
        return;
      }
      send(res, answer.status, answer.body);
    })()
      .catch(() => {
        if (!res.headersSent) send(res, 500, { title: "Internal Server Error", status: 500 });
        else res.destroy();
      })
      .finally(done);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address.port, address.address, () => resolve());
    });
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    authUrl: `${url}/oauth/token`,
    credentials: {
      clientId: engine.options.clientId,
      clientSecret: engine.options.clientSecret,
      audience: engine.options.audience,
    },
    mediafinanz: {
      baseUrl: `${url}${MEDIAFINANZ_PREFIX}`,
      uuid: mediafinanz.options.uuid,
      user: mediafinanz.options.user,
      password: mediafinanz.options.password,
      answers: SANDBOX_MEDIAFINANZ_ANSWERS,
      sandbox: mediafinanz,
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    claims: engine.claims,
    submissions: engine.submissions,
    loseNextAnswers: (count: number) => {
      answersToLose += count;
    },
    outage: async (mode) => {
      if (outage === mode) return;
      if (outage === "hang") for (const res of held) res.destroy();
      held.clear();
      if (outage === "refuse") await listen();
      outage = mode;
      if (mode === "refuse") {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    },
    setLatency: (ms: number, methods?: string[]) => {
      latencyMs = ms;
      latencyMethods = methods ?? null;
    },
    idle: () => (working === 0 ? Promise.resolve() : new Promise<void>((resolve) => whenIdle.push(resolve))),
    requests: () => [...log],
    engine,
  };
}
