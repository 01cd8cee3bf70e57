import { randomUUID } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";

import { loginTokens, staffMembers } from "#app/db/schema";
import { translator } from "#app/i18n/i18n";
import { createMailer } from "#app/mail/mailer.server";
import { webhookSecretOf, type WooConnection } from "#app/services/woocommerce/connections.server";
import {
  encodeWpUser,
  MAGIC_LINKS_PER_ADDRESS_PER_HOUR,
  type MagicLinkDeps,
  magicLinksSettled,
  redeemMagicLink,
  redeemWpAdminLink,
  sendMagicLinks,
  signWpAdminLink,
  staffSessionOf,
} from "#app/services/woocommerce/staff.server";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { cookiesOf, formRequest, serveRoutesFrom, settle } from "#test/support/routes";
import { type SmtpCapture, startSmtpCapture } from "#test/support/smtp";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { action, loader } from "./woocommerce.login";

const ctx = { params: {} } as { params: Record<string, string>; context: AppLoadContext };
const en = translator("en");

// One capture for the file: the environment (SMTP_URL) is read once per process.
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  process.env.SMTP_URL = smtp.url;
});
afterAll(() => smtp.close());

describe.each(testEngines())("sign-in by e-mailed link on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let connection: WooConnection;

  /** A WordPress user opens Mahnwerk from wp-admin: from then on the store vouches for their address. */
  async function wpAdminSignIn(user: { id: number; name: string; email: string }, now = new Date()) {
    const t = Math.floor(now.getTime() / 1000);
    const n = randomUUID().replaceAll("-", "");
    const u = encodeWpUser(user);
    const s = signWpAdminLink(connection.id, t, n, u, webhookSecretOf(connection, TEST_ENCRYPTION_KEY));
    const result = await redeemWpAdminLink(
      database.db,
      new URLSearchParams({ c: connection.id, t: String(t), n, u, s }),
      { key: TEST_ENCRYPTION_KEY, now },
    );
    expect(result.ok).toBe(true);
  }

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
    await wpAdminSignIn({ id: 42, name: "Anna Schmidt", email: "anna@wollwerk.example.de" });
  });
  afterAll(async () => {
    await magicLinksSettled();
    routes.release();
    await database.close();
  });

  // The client address comes from server.ts (the socket), not from X-Forwarded-For (test/security/sign-in-rate-limits.test.ts).
  const ask = (email: string, headers: Record<string, string> = {}, client = "192.0.2.1") =>
    action({
      request: formRequest(`${TEST_APP_URL}/woocommerce/login`, { intent: "request", email }, headers),
      ...ctx,
      context: { ...ctx.context, clientAddress: client },
    });
  const redeem = (token: string) =>
    settle(() =>
      action({ request: formRequest(`${TEST_APP_URL}/woocommerce/login`, { intent: "redeem", token }), ...ctx }),
    );
  const tokenOf = (text: string) => /\/woocommerce\/login\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
  const deps = (now: Date): MagicLinkDeps => ({
    now,
    appUrl: TEST_APP_URL,
    mailer: createMailer(smtp.url),
    from: "mahnwerk@example.com",
    text: {
      subject: en("woo.login.mail.subject"),
      body: (v) => en("woo.login.mail.body", v),
      signOff: en("woo.login.mail.signOff"),
    },
  });

  test("a known address gets a German link mail; the link signs in once as that wp-admin user; the token is stored hashed", async () => {
    const before = smtp.messages.length;
    expect(
      await ask(
        " Anna@Wollwerk.example.de ",
        { "accept-language": "de-DE,de;q=0.9" },
        `198.51.100.${engine === "pglite" ? 1 : 11}`,
      ),
    ).toEqual({ sent: true });
    await vi.waitFor(() => expect(smtp.messages.length).toBe(before + 1), { timeout: 10_000 });
    const mail = smtp.messages.at(-1)!;
    expect(mail.envelope.to).toEqual(["anna@wollwerk.example.de"]);
    expect(mail.parsed.subject).toBe(translator("de")("woo.login.mail.subject"));
    expect(mail.parsed.text).toContain("Hallo Anna Schmidt");
    expect(mail.parsed.text).toContain("Wollwerk");
    const token = tokenOf(mail.parsed.text ?? "")!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.parsed.html).toContain(`<a href="${TEST_APP_URL}/woocommerce/login?token=${token}">`);
    expect(JSON.stringify(await database.db.select().from(loginTokens))).not.toContain(token);

    // Opening the link only shows the button: a mail scanner fetching it spends nothing.
    expect(
      await loader({ request: new Request(`${TEST_APP_URL}/woocommerce/login?token=${token}`), ...ctx }),
    ).toMatchObject({ token, mailReady: true });
    const signedIn = await redeem(token);
    expect(signedIn).toBeInstanceOf(Response);
    expect((signedIn as Response).status).toBe(302);
    expect((signedIn as Response).headers.get("location")).toBe("/app");
    const session = await staffSessionOf(
      database.db,
      new Request(`${TEST_APP_URL}/app`, { headers: { cookie: cookiesOf(signedIn as Response) } }),
      new Date(),
    );
    expect(session).toMatchObject({ shop: { id: connection.shopId }, staff: { id: "wp:42", name: "Anna Schmidt" } });

    expect(await redeem(token)).toEqual({ error: "woo.login.failed" });
    expect(en("woo.login.failed")).not.toBe("woo.login.failed");
  });

  test("an unknown address gets the same answer and no mail", async () => {
    const before = smtp.messages.length;
    expect(await ask("nobody@wollwerk.example.de", {}, `198.51.100.${engine === "pglite" ? 2 : 12}`)).toEqual({
      sent: true,
    });
    expect(await sendMagicLinks(database.db, "nobody@wollwerk.example.de", deps(new Date()))).toBe(0);
    expect(await ask("not an address", {}, `198.51.100.${engine === "pglite" ? 2 : 12}`)).toEqual({
      error: "woo.login.invalidEmail",
    });
    expect(smtp.messages.length).toBe(before);
    expect(
      (await database.db.select().from(loginTokens).where(eq(loginTokens.email, "nobody@wollwerk.example.de"))).length,
    ).toBe(0);
  });

  test("staff whose last wp-admin sign-in is older than 90 days get no link", async () => {
    await wpAdminSignIn(
      { id: 9, name: "Former", email: "former@wollwerk.example.de" },
      new Date(Date.now() - 91 * 86_400_000),
    );
    expect(await sendMagicLinks(database.db, "former@wollwerk.example.de", deps(new Date()))).toBe(0);
    const [member] = await database.db.select().from(staffMembers).where(eq(staffMembers.staffId, "wp:9"));
    expect(member).toBeDefined();
  });

  test("a link expires after 15 minutes", async () => {
    await wpAdminSignIn({ id: 11, name: "Ben", email: "ben@wollwerk.example.de" });
    const before = smtp.messages.length;
    const now = new Date();
    expect(await sendMagicLinks(database.db, "ben@wollwerk.example.de", deps(now))).toBe(1);
    const token = tokenOf(smtp.messages[before]!.parsed.text ?? "")!;
    expect(await redeemMagicLink(database.db, token, new Date(now.getTime() + 15 * 60_000 + 1000))).toEqual({
      ok: false,
      error: { code: "expired" },
    });
    expect(await redeemMagicLink(database.db, "x".repeat(43), now)).toEqual({ ok: false, error: { code: "invalid" } });
  });

  test("at most 3 links per address and hour; a flood from one client is refused with 429", async () => {
    await wpAdminSignIn({ id: 12, name: "Clara", email: "clara@wollwerk.example.de" });
    const now = new Date();
    const sent = [];
    for (let i = 0; i < MAGIC_LINKS_PER_ADDRESS_PER_HOUR + 1; i++)
      sent.push(await sendMagicLinks(database.db, "clara@wollwerk.example.de", deps(now)));
    expect(sent).toEqual([1, 1, 1, 0]);
    expect(
      await sendMagicLinks(database.db, "clara@wollwerk.example.de", deps(new Date(now.getTime() + 3600_000 + 1000))),
    ).toBe(1);

    const answers = [];
    for (let i = 0; i < 11; i++)
      answers.push(await ask(`flood${i}@example.com`, {}, `203.0.113.${engine === "pglite" ? 9 : 10}`));
    expect(answers.slice(0, 10).every((a) => !(a instanceof Response))).toBe(true);
    expect((answers[10] as Response).status).toBe(429);
  });
});
