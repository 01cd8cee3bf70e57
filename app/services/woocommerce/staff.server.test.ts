import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { loginTokens, staffMembers, staffSessions } from "#app/db/schema";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { connectTestStore, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import type { WooConnection } from "./connections.server";
import { webhookSecretOf } from "./connections.server";
import {
  createStaffSession,
  encodeWpUser,
  redeemWpAdminLink,
  shopOfStaffSession,
  signWpAdminLink,
  STAFF_COOKIE,
  staffCookie,
  staffSessionOf,
} from "./staff.server";

const key = TEST_ENCRYPTION_KEY;

describe.each(testEngines())("wp-admin sign-in on %s", (engine) => {
  let database: TestDatabase;
  let connection: WooConnection;
  let secret: string;
  const now = new Date("2026-11-20T10:00:00Z");
  const unix = (d: Date) => Math.floor(d.getTime() / 1000);

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    wooStore.reset();
    ({ connection } = await connectTestStore(database.db));
    secret = webhookSecretOf(connection, key);
  });
  afterAll(() => database.close());
  let nonce: string;
  beforeEach(() => {
    nonce = randomUUID().replaceAll("-", "");
  });

  const anna = encodeWpUser({ id: 42, name: "Anna Schmidt", email: "Anna@Shop.example.de" });
  const link = (overrides: Partial<Record<"c" | "t" | "n" | "u" | "s", string>> = {}, signedAt = now) => {
    const t = String(unix(signedAt));
    const u = overrides.u ?? anna;
    const base = { c: connection.id, t, n: nonce, u, s: signWpAdminLink(connection.id, Number(t), nonce, u, secret) };
    return new URLSearchParams({ ...base, ...overrides });
  };
  const annaSignIn = { id: "wp:42", name: "Anna Schmidt", email: "anna@shop.example.de" };
  const redeem = (params: URLSearchParams, at = now) => redeemWpAdminLink(database.db, params, { key, now: at });

  test("a valid link is accepted once, then refused as reused", async () => {
    const params = link();
    expect(await redeem(params)).toEqual({ ok: true, value: { shopId: connection.shopId, staff: annaSignIn } });
    expect(await redeem(params)).toEqual({ ok: false, error: { code: "reused" } });
    const tokens = await database.db.select().from(loginTokens);
    expect(tokens.filter((t) => t.kind === "wp_admin")).toHaveLength(1);
    expect(JSON.stringify(tokens)).not.toContain(nonce);
  });

  test("an expired link (older than 5 minutes) is refused and does not burn its nonce", async () => {
    const params = link({}, new Date(now.getTime() - 5 * 60_000 - 1000));
    expect(await redeem(params)).toEqual({ ok: false, error: { code: "expired" } });
    // Still within the limit: accepted.
    expect(await redeem(link({}, new Date(now.getTime() - 4 * 60_000)))).toMatchObject({ ok: true });
  });

  test("tampered links are refused: connection, time, nonce or signature changed", async () => {
    const good = link();
    const other = await insertShop(database.db, { platform: "woocommerce", domain: "other.example.de" });
    for (const tampered of [
      link({ t: String(unix(now) + 1) }),
      link({ n: `${nonce}x` }),
      link({ s: good.get("s")!.replace(/^./, (ch) => (ch === "a" ? "b" : "a")) }),
      link({ s: signWpAdminLink(connection.id, unix(now), nonce, anna, "some-other-secret") }),
      // Another user swapped into a genuine link.
      link({ u: encodeWpUser({ id: 1, name: "Admin", email: "admin@shop.example.de" }), s: good.get("s")! }),
    ]) {
      expect(await redeem(tampered)).toEqual({ ok: false, error: { code: "bad_signature" } });
    }
    expect(await redeem(link({ c: randomUUID() }))).toEqual({ ok: false, error: { code: "invalid" } });
    expect(await redeem(link({ s: "zz" }))).toEqual({ ok: false, error: { code: "invalid" } });
    // A link of the plugin's first version (no user) is refused: every action must name a person.
    const { u: _u, ...withoutUser } = Object.fromEntries(link());
    expect(await redeem(new URLSearchParams(withoutUser))).toEqual({ ok: false, error: { code: "invalid" } });
    expect(other.id).not.toBe(connection.shopId);
    // None of those burned the genuine link.
    expect(await redeem(good)).toMatchObject({ ok: true });
  });

  test("a staff session cookie yields its store's shop, only until it expires; the cookie is HttpOnly and Lax", async () => {
    const session = await createStaffSession(database.db, connection.shopId!, annaSignIn, now);
    const header = staffCookie(session.value, session.expiresAt, { secure: true });
    expect(header).toMatch(
      new RegExp(`^__Host-${STAFF_COOKIE}=[A-Za-z0-9_-]+; Path=/; Expires=.+; HttpOnly; SameSite=Lax; Secure$`),
    );
    expect(staffCookie(session.value, session.expiresAt, { secure: false })).not.toContain("Secure");
    const request = new Request("https://mahnwerk.example.com/app", {
      headers: { cookie: `other=1; ${STAFF_COOKIE}=${session.value}` },
    });
    expect((await shopOfStaffSession(database.db, request, now))?.id).toBe(connection.shopId);
    expect((await staffSessionOf(database.db, request, now))?.staff).toEqual({ id: "wp:42", name: "Anna Schmidt" });
    expect(await shopOfStaffSession(database.db, request, new Date(session.expiresAt.getTime() + 1))).toBeNull();
    const forged = new Request("https://mahnwerk.example.com/app", {
      headers: { cookie: `${STAFF_COOKIE}=${session.value.slice(1)}A` },
    });
    expect(await shopOfStaffSession(database.db, forged, now)).toBeNull();
    const rows = await database.db.select().from(staffSessions);
    expect(JSON.stringify(rows)).not.toContain(session.value);
  });

  test("a signed-in wp-admin user is remembered per store with their latest name and address", async () => {
    await redeem(link({ u: encodeWpUser({ id: 7, name: "Ben", email: "ben@shop.example.de" }) }));
    nonce = randomUUID().replaceAll("-", "");
    const later = new Date(now.getTime() + 60_000);
    await redeem(
      link({ u: encodeWpUser({ id: 7, name: "Ben Bauer", email: "BEN.BAUER@shop.example.de" }) }, later),
      later,
    );
    const rows = (await database.db.select().from(staffMembers)).filter((r) => r.staffId === "wp:7");
    expect(rows).toEqual([
      expect.objectContaining({
        shopId: connection.shopId,
        name: "Ben Bauer",
        email: "ben.bauer@shop.example.de",
        lastWpAdminSignInAt: later,
      }),
    ]);
  });
});
