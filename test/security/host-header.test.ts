import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { ensureBuild, freePort, type RunningServer, runServerExpectingExit, startServer } from "#test/support/server";
import { type SmtpCapture, startSmtpCapture } from "#test/support/smtp";
import { startWooStandIn, TEST_CA_FILE, type WooStandIn } from "#test/support/standins/woocommerce-store";

/*
 * Sign-in link poisoning (ASVS V5/V14): the e-mailed sign-in link was built from the request's Host and
 * X-Forwarded-* headers, so a POST naming another host made the real mail carry a link to the attacker. Links now come
 * from APP_URL alone, and with APP_URL set a request for another host is refused.
 */

const STAFF = { id: 7, name: "Greta Wolle", email: "greta@wollwerk.example" };

beforeAll(() => ensureBuild(), 300_000);

/** A form POST with a Host header of our choosing (fetch cannot set one). */
function postWithHost(
  url: string,
  host: string,
  fields: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          host,
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          ...extra,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("sign-in links are built from APP_URL, never from the request", () => {
  let store: WooStandIn;
  let smtp: SmtpCapture;
  let server: RunningServer;
  let dataDir: string;
  let appUrl: string;
  let sessionCookie: string;

  beforeAll(async () => {
    store = await startWooStandIn();
    smtp = await startSmtpCapture();
    dataDir = mkdtempSync(path.join(tmpdir(), "mahnwerk-host-"));
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    server = await startServer({
      DEMO: "0",
      DATA_DIR: dataDir,
      PORT: String(port),
      APP_URL: appUrl,
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
      ALLOW_PRIVATE_NETWORK: "1",
      SMTP_URL: smtp.url,
    });
    const { consumerKey, consumerSecret } = store.store.state.keys;
    const connected = await fetch(`${appUrl}/woocommerce/connect`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "manual", storeUrl: store.url, consumerKey, consumerSecret }),
    });
    expect(connected.status, server.output()).toBe(200);
    // The staff member becomes known to Mahnwerk by opening the tab once from wp-admin.
    const signedIn = await fetch(store.signInLink(appUrl, STAFF), { redirect: "manual" });
    expect(signedIn.status).toBe(302);
    sessionCookie = signedIn.headers.get("set-cookie") ?? "";
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([store?.close(), smtp?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a request naming another host is refused and sends nothing", async () => {
    const forged = await postWithHost(`${appUrl}/woocommerce/login`, "evil.example", {
      intent: "request",
      email: STAFF.email,
    });
    expect(forged.status).toBe(421);
    const forwarded = await postWithHost(
      `${appUrl}/woocommerce/login`,
      new URL(appUrl).host,
      { intent: "request", email: STAFF.email },
      { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    );
    expect(forwarded.status).toBe(200);
    const mail = await new Promise<(typeof smtp.messages)[number]>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const poll = () =>
        smtp.messages[0]
          ? resolve(smtp.messages[0])
          : Date.now() > deadline
            ? reject(new Error("no sign-in mail"))
            : setTimeout(poll, 100);
      poll();
    });
    expect(smtp.messages).toHaveLength(1);
    expect(mail.envelope.to).toEqual([STAFF.email]);
    const links = mail.raw.match(/https?:\/\/[^\s"<>]+\/woocommerce\/login\?token=[A-Za-z0-9_-]+/g) ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${appUrl}/woocommerce/login?token=`)).toBe(true);
    expect(mail.raw).not.toContain("evil.example");
  });

  test("a form posted from another origin is refused; standalone pages cannot be framed", async () => {
    const crossSite = await postWithHost(
      `${appUrl}/woocommerce/connect`,
      new URL(appUrl).host,
      { intent: "connect", storeUrl: "x" },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    const sameSite = await postWithHost(
      `${appUrl}/woocommerce/connect`,
      new URL(appUrl).host,
      { intent: "connect", storeUrl: "not a store" },
      { origin: appUrl },
    );
    expect(sameSite.status).toBe(200);
    const page = await fetch(`${appUrl}/woocommerce/login`);
    expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  test("the session cookie is __Host-: Secure, host-only, Path=/ (no sibling subdomain can plant one)", () => {
    expect(sessionCookie).toMatch(
      /^__Host-mahnwerk_staff=[A-Za-z0-9_-]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  test("/healthz still answers probes by IP or any host name", async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(`${appUrl}/healthz`, { headers: { host: "10.0.0.5:3000" } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(res).toBe(200);
  });
});

test("production outside demo mode refuses to start without APP_URL", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mahnwerk-host-"));
  try {
    const { code, output } = await runServerExpectingExit({ DEMO: "0", DATA_DIR: dir });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(
      /^mahnwerk: Invalid environment: APP_URL is required in production outside demo mode/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
