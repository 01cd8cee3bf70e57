import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { shops } from "#app/db/schema";
import { authenticateApiToken, createApiToken } from "#app/web/api/tokens.server";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

/* Sessions that outlive their store (ASVS V3.3): an /api/v1 token kept working after its shop uninstalled the app. */
describe.each(testEngines())("API tokens on %s", (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.close());

  test("a token stops working when its shop uninstalls the app", async () => {
    const shop = await insertShop(database.db);
    const { token } = await createApiToken(database.db, shop, { role: "support", name: "helpdesk" });
    expect(await authenticateApiToken(database.db, token, new Date())).not.toBeNull();
    await database.db
      .update(shops)
      .set({ status: "uninstalled", uninstalledAt: new Date() })
      .where(eq(shops.id, shop.id));
    expect(await authenticateApiToken(database.db, token, new Date())).toBeNull();
  });
});
