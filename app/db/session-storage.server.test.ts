import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";

import { DrizzleSessionStorage } from "./session-storage.server";

describe.each(testEngines())("Shopify session storage on %s", (engine) => {
  let database: TestDatabase;
  let storage: DrizzleSessionStorage;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    storage = new DrizzleSessionStorage(async () => database.db);
  });
  afterAll(() => database.close());

  const offline = () =>
    new Session({
      id: "offline_shop-a.myshopify.com",
      shop: "shop-a.myshopify.com",
      state: "state-1",
      isOnline: false,
      scope: "read_orders,write_orders",
      expires: new Date("2026-11-23T12:00:00.000Z"),
      accessToken: "shpat_offline",
      refreshToken: "shprt_refresh",
      refreshTokenExpires: new Date("2027-02-21T12:00:00.000Z"),
    });

  test("stores and loads an expiring offline session with its refresh token", async () => {
    await storage.storeSession(offline());
    const loaded = await storage.loadSession("offline_shop-a.myshopify.com");
    expect(loaded?.toObject()).toEqual(offline().toObject());
    expect(loaded?.refreshToken).toBe("shprt_refresh");
  });

  test("storing again updates in place (token refresh)", async () => {
    const refreshed = offline();
    refreshed.accessToken = "shpat_new";
    await storage.storeSession(refreshed);
    expect((await storage.loadSession(refreshed.id))?.accessToken).toBe("shpat_new");
    expect(await storage.findSessionsByShop("shop-a.myshopify.com")).toHaveLength(1);
  });

  test("keeps the online user of an online session", async () => {
    const online = new Session({
      id: "shop-a.myshopify.com_42",
      shop: "shop-a.myshopify.com",
      state: "s",
      isOnline: true,
      scope: "read_orders",
      expires: new Date(Date.now() + 3600_000),
      accessToken: "shpua_online",
    });
    online.onlineAccessInfo = {
      expires_in: 3600,
      associated_user_scope: "read_orders",
      associated_user: {
        id: 42,
        first_name: "Erika",
        last_name: "Mustermann",
        email: "erika@example.de",
        email_verified: true,
        account_owner: true,
        locale: "de",
        collaborator: false,
      },
    };
    await storage.storeSession(online);
    const loaded = await storage.loadSession(online.id);
    expect(loaded?.onlineAccessInfo?.associated_user).toEqual(online.onlineAccessInfo.associated_user);
    expect(loaded?.isOnline).toBe(true);
  });

  test("finds by shop and deletes one or many; other shops are untouched", async () => {
    await storage.storeSession(
      new Session({
        id: "offline_shop-b.myshopify.com",
        shop: "shop-b.myshopify.com",
        state: "x",
        isOnline: false,
        accessToken: "b",
      }),
    );
    expect((await storage.findSessionsByShop("shop-a.myshopify.com")).map((s) => s.id).sort()).toEqual([
      "offline_shop-a.myshopify.com",
      "shop-a.myshopify.com_42",
    ]);
    await storage.deleteSessions(["offline_shop-a.myshopify.com", "shop-a.myshopify.com_42"]);
    expect(await storage.findSessionsByShop("shop-a.myshopify.com")).toEqual([]);
    expect(await storage.loadSession("offline_shop-b.myshopify.com")).toBeDefined();
    await storage.deleteSession("offline_shop-b.myshopify.com");
    expect(await storage.loadSession("offline_shop-b.myshopify.com")).toBeUndefined();
  });
});
