import { randomUUID } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { caseEvents, settings, type Shop, shops } from "#app/db/schema";
import { bulkRunJob } from "#app/jobs/cases.server";
import { runBulkRun } from "#app/services/cases/bulk-runs.server";
import { getSettings } from "#app/services/settings/settings.server";
import { webhookSecretOf } from "#app/services/woocommerce/connections.server";
import { encodeWpUser, signWpAdminLink } from "#app/services/woocommerce/staff.server";
import { DEMO_SHOP_DOMAIN, shopifyStaff } from "#app/web/shop-context.server";
import { wooStore } from "#test/mocks/woocommerce";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { cookiesOf, formRequest, serveRoutesFrom, settle } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { action as indexAction } from "./app._index/route";
import { action as caseAction, loader as caseLoader } from "./app.cases.$caseId/route";
import { action as settingsAction } from "./app.settings/route";
import { loader as signinLoader } from "./woocommerce.signin";

test("a Shopify admin request's staff: the session token's user id, a name only from an online session", () => {
  expect(shopifyStaff({ sub: "93827" }, {})).toEqual({ id: "shopify:93827", name: null });
  const online = {
    onlineAccessInfo: {
      expires_in: 86_400,
      associated_user_scope: "read_orders",
      associated_user: {
        id: 93827,
        first_name: "Jana",
        last_name: "Vogel",
        email: "jana@laden.de",
        email_verified: true,
        account_owner: true,
        locale: "de",
        collaborator: false,
      },
    },
  };
  expect(shopifyStaff({ sub: "93827" }, online)).toEqual({ id: "shopify:93827", name: "Jana Vogel" });
  expect(shopifyStaff(undefined, online)).toEqual({ id: "shopify:93827", name: "Jana Vogel" });
});

describe.each(testEngines())("who acted, recorded from the tab's session on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let wooShop: Shop;
  let demoShop: Shop;
  let cookie: string;
  const ctx = {} as { context: AppLoadContext };

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
    wooStore.reset();
    const { connection } = await connectTestStore(database.db);
    wooShop = (await database.db.select().from(shops).where(eq(shops.id, connection.shopId!)))[0]!;
    demoShop = await insertShop(database.db, { platform: "demo", domain: DEMO_SHOP_DOMAIN });
    // Anna opens Mahnwerk from wp-admin: the plugin's signed link names her.
    const t = Math.floor(Date.now() / 1000);
    const n = randomUUID().replaceAll("-", "");
    const u = encodeWpUser({ id: 42, name: "Anna Schmidt", email: "anna@wollwerk.example.de" });
    const s = signWpAdminLink(connection.id, t, n, u, webhookSecretOf(connection, TEST_ENCRYPTION_KEY));
    const signin = await signinLoader({
      request: new Request(
        `${TEST_APP_URL}/woocommerce/signin?${new URLSearchParams({ c: connection.id, t: String(t), n, u, s })}`,
      ),
      params: {},
      ...ctx,
    });
    expect(signin.status).toBe(302);
    cookie = cookiesOf(signin);
    expect(cookie).toMatch(/^mahnwerk_staff=/);
  });
  afterAll(async () => {
    routes.release();
    await database.close();
  });

  const lastEvent = async (caseId: string) =>
    (
      await database.db
        .select()
        .from(caseEvents)
        .where(eq(caseEvents.caseId, caseId))
        .orderBy(desc(caseEvents.seq))
        .limit(1)
    )[0]!;

  test("a WooCommerce staff member's start shows in the case timeline under their wp-admin user", async () => {
    const { case: c } = await openTestCase(database.db, wooShop);
    const url = `${TEST_APP_URL}/app/cases/${c.id}`;
    const result = await caseAction({
      request: formRequest(url, { intent: "start", reason: "Kunde reagiert nicht" }, { cookie }),
      params: { caseId: c.id },
      ...ctx,
    });
    expect(result).toMatchObject({ ok: true });
    const detail = await caseLoader({
      request: new Request(url, { headers: { cookie } }),
      params: { caseId: c.id },
      ...ctx,
    });
    expect(detail.events.at(-1)).toMatchObject({
      type: "case_started",
      actorType: "staff",
      actorId: "wp:42",
      actorName: "Anna Schmidt",
      reason: "Kunde reagiert nicht",
    });
  });

  test("bulk actions from the index carry the same person", async () => {
    const { case: c } = await openTestCase(database.db, wooShop);
    const result = await indexAction({
      request: formRequest(
        `${TEST_APP_URL}/app`,
        { scope: "selected", intent: "cancel", reason: "Doppelt angelegt", ids: [c.id] },
        { cookie },
      ),
      params: {},
      ...ctx,
    });
    expect(result).toMatchObject({ ok: true });
    expect(await lastEvent(c.id)).toMatchObject({
      actorType: "staff",
      actorId: "wp:42",
      actorName: "Anna Schmidt",
      reason: "Doppelt angelegt",
    });
  });

  test("a bulk run over a filter, walked later by the job, still records that person", async () => {
    const { case: c } = await openTestCase(database.db, wooShop, { firstName: "Filterbar" });
    const filter = new URLSearchParams({ q: "Filterbar" }).toString();
    const response = await settle(() =>
      indexAction({
        request: formRequest(
          `${TEST_APP_URL}/app`,
          { scope: "all", intent: "start", reason: "Alle Filterbar", filter },
          { cookie },
        ),
        params: {},
        ...ctx,
      }),
    );
    expect((response as Response).status).toBe(302);
    const job = routes.jobs.find((j) => j.name === bulkRunJob.name)!;
    await runBulkRun(database.db, (job.data as { runId: string }).runId);
    expect(await lastEvent(c.id)).toMatchObject({
      type: "case_started",
      actorId: "wp:42",
      actorName: "Anna Schmidt",
      reason: "Alle Filterbar",
    });
  });

  test("a settings change is recorded as changed by that person", async () => {
    const { version } = await getSettings(database.db, wooShop.id);
    const fields = {
      expectedVersion: String(version),
      invoicePaymentMethods: "invoice",
      defaultPaymentTermDays: "14",
      "schedule.reminder_1": "5",
      "schedule.reminder_2": "10",
      "schedule.final_reminder": "7",
      "schedule.handover": "7",
      "fees.reminder_1": "0",
      "fees.reminder_2": "2,50",
      "fees.final_reminder": "5,00",
      "sendWindow.startHour": "8",
      "sendWindow.endHour": "20",
      autoHandover: "off",
      dunningOption: "A",
    };
    const result = await settingsAction({
      request: formRequest(`${TEST_APP_URL}/app/settings`, fields, { cookie }),
      params: {},
      ...ctx,
    });
    expect(result).toMatchObject({ ok: true });
    const [latest] = await database.db
      .select()
      .from(settings)
      .where(eq(settings.shopId, wooShop.id))
      .orderBy(desc(settings.version))
      .limit(1);
    expect(latest).toMatchObject({ version: version + 1, changedBy: "staff:wp:42" });
  });

  test("in demo mode, without a staff session, the actor is the demo user", async () => {
    const { case: c } = await openTestCase(database.db, demoShop);
    const url = `${TEST_APP_URL}/app/cases/${c.id}`;
    expect(
      await caseAction({
        request: formRequest(url, { intent: "start", reason: "Demo" }),
        params: { caseId: c.id },
        ...ctx,
      }),
    ).toMatchObject({ ok: true });
    expect(await lastEvent(c.id)).toMatchObject({ actorType: "staff", actorId: "demo", actorName: null });
  });
});
