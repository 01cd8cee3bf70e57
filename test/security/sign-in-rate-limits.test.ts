import { randomBytes } from "node:crypto";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { loginTokens } from "#app/db/schema";
import type { Mailer } from "#app/mail/mailer.server";
import { action as loginAction } from "#app/routes/woocommerce.login";
import { webhookSecretOf } from "#app/services/woocommerce/connections.server";
import {
  encodeWpUser,
  MAGIC_LINKS_PER_ADDRESS_PER_HOUR,
  magicLinksSettled,
  redeemWpAdminLink,
  sendMagicLinks,
  signWpAdminLink,
} from "#app/services/woocommerce/staff.server";
import { clientAddressOf } from "#app/utils/client-address.server";
import { wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { formRequest, serveRoutesFrom } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * Sign-in mail flooding (ASVS V2.2 / V11): the per-address limit counted the links of the last hour and then inserted,
 * so concurrent requests all passed the count; and the per-client limit keyed on the first X-Forwarded-For entry,
 * which every client writes itself, so each request could claim a fresh client.
 */

// The route refuses without SMTP; nothing is delivered (the flood addresses are unknown), so any URL will do.
process.env.SMTP_URL = "smtp://127.0.0.1:9";
delete process.env.TRUST_PROXY;

const mailer: Mailer = { send: async () => ({ ok: true, messageId: "m" }), close: () => undefined };
const text = { subject: "s", body: () => "b", signOff: "x" };

describe.each(testEngines())("sign-in mail limits on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    wooStore.reset();
    const { connection } = await connectTestStore(database.db);
    // Anna opened Mahnwerk from wp-admin: her address may ask for links.
    const t = Math.floor(Date.now() / 1000);
    const n = randomBytes(16).toString("base64url");
    const u = encodeWpUser({ id: 42, name: "Anna Schmidt", email: "anna@shop.example.de" });
    const s = signWpAdminLink(connection.id, t, n, u, webhookSecretOf(connection, TEST_ENCRYPTION_KEY));
    const redeemed = await redeemWpAdminLink(
      database.db,
      new URLSearchParams({ c: connection.id, t: String(t), n, u, s }),
      { key: TEST_ENCRYPTION_KEY, now: new Date() },
    );
    if (!redeemed.ok) throw new Error(redeemed.error.code);
  });
  afterAll(async () => {
    await magicLinksSettled();
    routes.release();
    await database.close();
  });

  test("ten concurrent requests for one address send at most the hourly limit of links", async () => {
    const now = new Date();
    const sent = await Promise.all(
      Array.from({ length: 10 }, () =>
        sendMagicLinks(database.db, "anna@shop.example.de", {
          now,
          appUrl: TEST_APP_URL,
          mailer,
          from: "m@example.com",
          text,
        }),
      ),
    );
    const stored = await database.db.select().from(loginTokens).where(eq(loginTokens.email, "anna@shop.example.de"));
    expect(stored.length).toBeLessThanOrEqual(MAGIC_LINKS_PER_ADDRESS_PER_HOUR);
    expect(sent.filter((n) => n === 1)).toHaveLength(MAGIC_LINKS_PER_ADDRESS_PER_HOUR);
  }, 60_000);

  test("a client cannot escape the per-client limit by writing X-Forwarded-For (TRUST_PROXY unset)", async () => {
    // As server.ts passes it: the socket's peer, the same for every request here.
    const context = { ...routes.context, clientAddress: engine === "pglite" ? "192.0.2.20" : "192.0.2.21" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const request = formRequest(
        `${TEST_APP_URL}/woocommerce/login`,
        { intent: "request", email: `flood${i}@example.com` },
        { "x-forwarded-for": `198.51.100.${i}` },
      );
      const result = await loginAction({ request, params: {}, context });
      statuses.push(result instanceof Response ? result.status : 200);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });
});

describe("the client address for rate limits", () => {
  test("without trusted proxies it is the socket's peer, whatever X-Forwarded-For says", () => {
    expect(clientAddressOf("192.0.2.1", "198.51.100.1", 0)).toBe("192.0.2.1");
    expect(clientAddressOf("192.0.2.1", "198.51.100.2, 10.0.0.1", 0)).toBe("192.0.2.1");
    expect(clientAddressOf("192.0.2.1", null, 0)).toBe("192.0.2.1");
    expect(clientAddressOf(undefined, "198.51.100.1", 0)).toBe("unknown");
  });

  test("behind N proxies it is the Nth entry from the right: what a client prepends does not count", () => {
    // One proxy appends the peer it saw; the forged entries stay on the left.
    expect(clientAddressOf("10.0.0.1", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddressOf("10.0.0.1", "1.1.1.1, 6.6.6.6, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
    expect(clientAddressOf("10.0.0.1", " 203.0.113.7 ", 1)).toBe("203.0.113.7");
    // Fewer entries than proxies: the furthest one known; none at all: the socket.
    expect(clientAddressOf("10.0.0.1", "203.0.113.7", 3)).toBe("203.0.113.7");
    expect(clientAddressOf("10.0.0.1", null, 1)).toBe("10.0.0.1");
  });
});
