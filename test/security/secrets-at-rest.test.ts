import { createCipheriv, randomBytes, randomUUID } from "node:crypto";

import { Session } from "@shopify/shopify-api";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { partnerAccounts, sessions, wooConnections } from "#app/db/schema";
import { DrizzleSessionStorage } from "#app/db/session-storage.server";
import { openPartnerConfig, type PartnerConfig } from "#app/services/collection/partners.server";
import { sealSecretsAtRest } from "#app/services/shops/secrets-at-rest.server";
import { clientFor, webhookSecretOf } from "#app/services/woocommerce/connections.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

/*
 * Secrets at rest (ASVS V6.1, V8.1): Shopify's offline access and refresh tokens were stored in plain text in the
 * sessions table, and a ciphertext copied into another row or column decrypted there (no associated data).
 */

const key = randomBytes(32);

/** A ciphertext as the old code wrote it: "v1", no associated data. */
function v1(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(
    ":",
  );
}

const offline = (shop: string, token: string) =>
  new Session({
    id: `offline_${shop}`,
    shop,
    state: "s",
    isOnline: false,
    scope: "read_orders",
    accessToken: token,
    refreshToken: `${token}_refresh`,
  });

describe.each(testEngines())("secrets at rest on %s", (engine) => {
  let database: TestDatabase;
  let storage: DrizzleSessionStorage;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    storage = new DrizzleSessionStorage(
      async () => database.db,
      () => key,
    );
  });
  afterAll(() => database.close());

  test("Shopify tokens are stored encrypted and load back", async () => {
    await storage.storeSession(offline("enc-a.myshopify.com", "shpat_secret_a"));
    const [row] = await database.db.select().from(sessions).where(eq(sessions.id, "offline_enc-a.myshopify.com"));
    expect(JSON.stringify(row)).not.toContain("shpat_secret_a");
    expect(row!.accessToken.startsWith("v2:")).toBe(true);
    const loaded = await storage.loadSession("offline_enc-a.myshopify.com");
    expect(loaded?.accessToken).toBe("shpat_secret_a");
    expect(loaded?.refreshToken).toBe("shpat_secret_a_refresh");
  });

  test("a token copied into another shop's session does not decrypt there", async () => {
    await storage.storeSession(offline("enc-b.myshopify.com", "shpat_secret_b"));
    await storage.storeSession(offline("enc-c.myshopify.com", "shpat_secret_c"));
    const [b] = await database.db.select().from(sessions).where(eq(sessions.id, "offline_enc-b.myshopify.com"));
    await database.db
      .update(sessions)
      .set({ accessToken: b!.accessToken })
      .where(eq(sessions.id, "offline_enc-c.myshopify.com"));
    await expect(storage.loadSession("offline_enc-c.myshopify.com")).rejects.toThrow();
  });

  test("start-up encrypts plain-text tokens and binds older ciphertexts to their rows, once", async () => {
    await database.db.insert(sessions).values({
      id: "offline_legacy.myshopify.com",
      shop: "legacy.myshopify.com",
      state: "",
      isOnline: false,
      accessToken: "shpat_legacy",
      refreshToken: "shprt_legacy",
    });
    const woo = await insertShop(database.db, {
      platform: "woocommerce",
      domain: `legacy-${randomUUID().slice(0, 6)}.example.de`,
    });
    const [connection] = await database.db
      .insert(wooConnections)
      .values({
        shopId: woo.id,
        storeUrl: `https://${woo.domain}`,
        status: "connected",
        webhookSecret: v1("whsec_legacy"),
        consumerKey: v1("ck_legacy"),
        consumerSecret: v1("cs_legacy"),
        connectedAt: new Date(),
      })
      .returning();
    const config: PartnerConfig = {
      baseUrl: "https://riverty.test",
      authUrl: "https://auth.riverty.test/oauth/token",
      audience: "a",
      clientId: "id",
      clientSecret: "partner_legacy",
      creditor: {
        shopName: "Wollwerk",
        street: "Wollgasse",
        houseNumber: "3",
        postalCode: "50667",
        city: "Köln",
        countryCode: "DE",
        email: "b@wollwerk.example",
        phone: null,
      },
    };
    await database.db
      .insert(partnerAccounts)
      .values({ shopId: woo.id, partner: "riverty", environment: "sandbox", credentials: v1(JSON.stringify(config)) });

    const report = await sealSecretsAtRest(database.db, key);
    expect(report).toMatchObject({ wooConnections: 1, partnerAccounts: 1 });
    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await sealSecretsAtRest(database.db, key)).toEqual({ sessions: 0, wooConnections: 0, partnerAccounts: 0 });

    const [session] = await database.db.select().from(sessions).where(eq(sessions.id, "offline_legacy.myshopify.com"));
    expect(JSON.stringify(session)).not.toMatch(/shpat_legacy|shprt_legacy/);
    expect((await storage.loadSession("offline_legacy.myshopify.com"))?.accessToken).toBe("shpat_legacy");

    const [wooRow] = await database.db.select().from(wooConnections).where(eq(wooConnections.id, connection!.id));
    expect(
      [wooRow!.webhookSecret, wooRow!.consumerKey, wooRow!.consumerSecret].every((v) => v!.startsWith("v2:")),
    ).toBe(true);
    expect(webhookSecretOf(wooRow!, key)).toBe("whsec_legacy");
    expect(
      clientFor(wooRow!, key, (c) => ({ storeUrl: `${c.consumerKey}|${c.consumerSecret}` }) as never)?.storeUrl,
    ).toBe("ck_legacy|cs_legacy");
    // Bound now: the consumer secret in the consumer key's column no longer decrypts.
    expect(() => clientFor({ ...wooRow!, consumerKey: wooRow!.consumerSecret }, key, () => ({}) as never)).toThrow();

    const [account] = await database.db.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, woo.id));
    expect(account!.credentials.startsWith("v2:")).toBe(true);
    expect(openPartnerConfig(account!.credentials, woo.id, key.toString("hex"))).toEqual(config);
  });
});
