import { randomBytes } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import type { Mailer } from "#app/mail/mailer.server";
import { action as signOutAction } from "#app/routes/woocommerce.signout";
import { action as removedAction } from "#app/routes/woocommerce.staff.removed";
import {
  disconnectConnection,
  webhookSecretOf,
  type WooConnection,
} from "#app/services/woocommerce/connections.server";
import {
  createStaffSession,
  encodeWpUser,
  redeemWpAdminLink,
  sendMagicLinks,
  signWpAdminLink,
  STAFF_COOKIE,
  staffSessionOf,
} from "#app/services/woocommerce/staff.server";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { serveRoutesFrom } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * Staff sessions (ASVS V3.3): there was no sign-out, and sessions and e-mailed links survived disconnecting the store
 * or removing the WordPress user.
 */

const key = TEST_ENCRYPTION_KEY;
const ctx = {} as { context: AppLoadContext };
const mailer: Mailer = { send: async () => ({ ok: true, messageId: "m" }), close: () => undefined };
const text = { subject: "s", body: () => "b", signOff: "x" };
const ANNA = { id: 42, name: "Anna Schmidt", email: "anna@shop.example.de" };

describe.each(testEngines())("staff sessions on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let connection: WooConnection;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
  });
  afterAll(async () => {
    routes.release();
    await database.close();
  });
  beforeEach(async () => {
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
  });

  const signedParams = (user = ANNA) => {
    const t = String(Math.floor(Date.now() / 1000));
    const n = randomBytes(16).toString("base64url");
    const u = encodeWpUser(user);
    return new URLSearchParams({
      c: connection.id,
      t,
      n,
      u,
      s: signWpAdminLink(connection.id, Number(t), n, u, webhookSecretOf(connection, key)),
    });
  };
  /** Anna opens Mahnwerk from wp-admin: she becomes known staff and gets a session. */
  const annaSignsIn = async () => {
    const redeemed = await redeemWpAdminLink(database.db, signedParams(), { key, now: new Date() });
    if (!redeemed.ok) throw new Error(redeemed.error.code);
    const session = await createStaffSession(database.db, redeemed.value.shopId, redeemed.value.staff, new Date());
    return `${STAFF_COOKIE}=${session.value}`;
  };
  const requestWith = (cookie: string) => new Request(`${TEST_APP_URL}/app`, { headers: { cookie } });
  const linksFor = (email: string) =>
    sendMagicLinks(database.db, email, { now: new Date(), appUrl: TEST_APP_URL, mailer, from: "m@example.com", text });

  test("sign-out ends the session and clears the cookie", async () => {
    const cookie = await annaSignsIn();
    expect(await staffSessionOf(database.db, requestWith(cookie), new Date())).not.toBeNull();
    const res = (await signOutAction({
      request: new Request(`${TEST_APP_URL}/woocommerce/signout`, { method: "POST", headers: { cookie } }),
      params: {},
      ...ctx,
    })) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/woocommerce/login");
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^${STAFF_COOKIE}=;.*Expires=Thu, 01 Jan 1970`, "i"));
    expect(await staffSessionOf(database.db, requestWith(cookie), new Date())).toBeNull();
  });

  test("disconnecting the store ends its sessions and its staff's way to e-mailed links", async () => {
    const cookie = await annaSignsIn();
    const result = await disconnectConnection(database.db, connection.id, { key, now: new Date() });
    expect(result.disconnected).toBe(true);
    expect(await staffSessionOf(database.db, requestWith(cookie), new Date())).toBeNull();
    expect(await linksFor(ANNA.email)).toBe(0);
  });

  test("a user the store reports removed loses sessions and links at once; the report works once", async () => {
    const cookie = await annaSignsIn();
    const report = signedParams();
    const post = (params: URLSearchParams) =>
      removedAction({
        request: new Request(`${TEST_APP_URL}/woocommerce/staff/removed`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: params,
        }),
        params: {},
        ...ctx,
      }) as Promise<Response>;
    expect((await post(report)).status).toBe(204);
    expect(await staffSessionOf(database.db, requestWith(cookie), new Date())).toBeNull();
    expect(await linksFor(ANNA.email)).toBe(0);
    expect((await post(report)).status).toBe(403);
    // A forged report (wrong signature) changes nothing.
    const forged = signedParams();
    forged.set("s", "0".repeat(64));
    expect((await post(forged)).status).toBe(403);
  });
});
