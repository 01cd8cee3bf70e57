import { randomUUID } from "node:crypto";

import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { runCli } from "#app/cli/mahnwerk";
import { accessLog, type CaseRow, type Shop, shops } from "#app/db/schema";
import { loader as accessLogLoader } from "#app/routes/app.access-log";
import { loader as letterLoader } from "#app/routes/app.cases.$caseId.letter[.]pdf";
import { loader as caseLoader } from "#app/routes/app.cases.$caseId/route";
import { loader as csvLoader } from "#app/routes/app.cases[.]csv";
import { loader as signinLoader } from "#app/routes/woocommerce.signin";
import { runRetention } from "#app/services/privacy/retention.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { webhookSecretOf } from "#app/services/woocommerce/connections.server";
import { encodeWpUser, signWpAdminLink } from "#app/services/woocommerce/staff.server";
import { createApiToken } from "#app/web/api/tokens.server";
import { apiShowCase } from "#app/web/api/v1.server";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";
import { wooStore } from "#test/mocks/woocommerce";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";
import { cookiesOf, serveRoutesFrom, settle } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * The access log (Shopify protected customer data: access logs): every opening of a case, its letter or an export,
 * through the tab, the support API or the CLI, is an entry naming who, when, which shop and which case; reading the
 * log is itself an entry; a shop sees only its own entries; entries go after a year.
 */

const ADDRESS = {
  company: "Wollwerk GmbH",
  street: "Hafenstraße 1",
  postalCode: "20457",
  city: "Hamburg",
  countryCode: "DE",
  email: "info@wollwerk.example",
  phone: null,
};

describe.each(testEngines())("access log on %s", (engine) => {
  let database: TestDatabase;
  let routes: ReturnType<typeof serveRoutesFrom>;
  let demo: Shop;
  let wooShop: Shop;
  let demoCase: CaseRow;
  let wooCase: CaseRow;
  let cookie: string;
  const ctx = {} as { context: AppLoadContext };

  const entriesOf = async (shopId: string) =>
    database.db.select().from(accessLog).where(eq(accessLog.shopId, shopId)).orderBy(accessLog.at);
  const latest = async (shopId: string) => (await entriesOf(shopId)).at(-1);

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    routes = serveRoutesFrom(database);
    ctx.context = routes.context;
    demo = await insertShop(database.db, {
      platform: "demo",
      domain: DEMO_SHOP_DOMAIN,
      name: "Wollwerk",
      timezone: "Europe/Berlin",
    });
    await updateSettings(database.db, demo.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    demoCase = (await openTestCase(database.db, demo)).case;
    wooStore.reset();
    const { connection } = await connectTestStore(database.db);
    wooShop = (await database.db.select().from(shops).where(eq(shops.id, connection.shopId!)))[0]!;
    wooCase = (await openTestCase(database.db, wooShop)).case;
    // Anna opens Mahnwerk from wp-admin: the plugin's signed link names her.
    const t = Math.floor(Date.now() / 1000);
    const n = randomUUID().replaceAll("-", "");
    const u = encodeWpUser({ id: 42, name: "Anna Schmidt", email: "anna@wollwerk.example.de" });
    const s = signWpAdminLink(connection.id, t, n, u, webhookSecretOf(connection, TEST_ENCRYPTION_KEY));
    cookie = cookiesOf(
      await signinLoader({
        request: new Request(
          `${TEST_APP_URL}/woocommerce/signin?${new URLSearchParams({ c: connection.id, t: String(t), n, u, s })}`,
        ),
        params: {},
        ...ctx,
      }),
    );
  });
  afterAll(async () => {
    routes?.release();
    await database?.close();
  });

  test("a staff member opening a case is recorded with their platform user, the time, the shop and the case", async () => {
    const before = Date.now();
    await caseLoader({
      request: new Request(`${TEST_APP_URL}/app/cases/${wooCase.id}`, { headers: { cookie } }),
      params: { caseId: wooCase.id },
      ...ctx,
    });
    const entry = await latest(wooShop.id);
    expect(entry).toMatchObject({
      channel: "tab",
      actorId: "wp:42",
      actorName: "Anna Schmidt",
      what: "case",
      caseId: wooCase.id,
    });
    expect(entry!.at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  test("a case that is not found, or is another shop's, leaves no entry", async () => {
    const count = (await entriesOf(demo.id)).length;
    const missing = await settle(() =>
      caseLoader({
        request: new Request(`${TEST_APP_URL}/app/cases/${wooCase.id}`),
        params: { caseId: wooCase.id },
        ...ctx,
      }),
    );
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(404);
    expect(await entriesOf(demo.id)).toHaveLength(count);
  });

  test("the letter and the CSV export are recorded as such", async () => {
    const letter = await settle(() =>
      letterLoader({
        request: new Request(`${TEST_APP_URL}/app/cases/${demoCase.id}/letter.pdf`),
        params: { caseId: demoCase.id },
        ...ctx,
      }),
    );
    expect((letter as Response).headers.get("content-type")).toBe("application/pdf");
    expect(await latest(demo.id)).toMatchObject({
      channel: "tab",
      actorId: "demo",
      what: "letter",
      caseId: demoCase.id,
    });
    const csv = (await csvLoader({
      request: new Request(`${TEST_APP_URL}/app/cases.csv`),
      params: {},
      ...ctx,
    })) as Response;
    await csv.text();
    expect(await latest(demo.id)).toMatchObject({ channel: "tab", what: "export", caseId: null });
  });

  test("the support API and the CLI record their reader; the CLI names the OS user unless --actor is given", async () => {
    const { token } = await createApiToken(database.db, demo, { role: "readonly", name: "helpdesk" });
    const shown = await apiShowCase(
      database.db,
      new Request(`${TEST_APP_URL}/api/v1/cases/${demoCase.id}`, { headers: { authorization: `Bearer ${token}` } }),
      demoCase.id,
    );
    expect(shown.status).toBe(200);
    expect(await latest(demo.id)).toMatchObject({
      channel: "api",
      actorName: "helpdesk",
      what: "case",
      caseId: demoCase.id,
    });

    const io = { out: () => undefined, err: () => undefined };
    const cli = (argv: string[]) => runCli(argv, { db: database.db, now: () => new Date(), io });
    expect(await cli(["cases", "show", demoCase.id, "--shop", DEMO_SHOP_DOMAIN, "--actor", "Kim (support)"])).toBe(0);
    expect(await latest(demo.id)).toMatchObject({
      channel: "cli",
      actorId: "Kim (support)",
      what: "case",
      caseId: demoCase.id,
    });
    expect(await cli(["cases", "show", demoCase.id, "--shop", DEMO_SHOP_DOMAIN])).toBe(0);
    expect((await latest(demo.id))?.actorId).toMatch(/^os:\S+/);
  });

  test("reading the log shows the shop's own entries, newest first, and is itself recorded", async () => {
    const page = await accessLogLoader({ request: new Request(`${TEST_APP_URL}/app/access-log`), params: {}, ...ctx });
    expect(page.entries.length).toBeGreaterThanOrEqual(4);
    expect(page.entries.every((e, i, all) => i === 0 || all[i - 1]!.at >= e.at)).toBe(true);
    expect(page.entries.some((e) => e.caseId === wooCase.id)).toBe(false);
    expect(await latest(demo.id)).toMatchObject({ channel: "tab", what: "access_log", caseId: null });

    const narrowed = await accessLogLoader({
      request: new Request(`${TEST_APP_URL}/app/access-log?case=${demoCase.id}`),
      params: {},
      ...ctx,
    });
    expect(narrowed.entries.length).toBeGreaterThan(0);
    expect(narrowed.entries.every((e) => e.caseId === demoCase.id)).toBe(true);
    expect(await latest(demo.id)).toMatchObject({ what: "access_log", caseId: demoCase.id });
    const invalid = await settle(() =>
      accessLogLoader({ request: new Request(`${TEST_APP_URL}/app/access-log?case=x'--`), params: {}, ...ctx }),
    );
    expect((invalid as Response).status).toBe(404);

    let out = "";
    const code = await runCli(
      ["access-log", "list", "--shop", DEMO_SHOP_DOMAIN, "--actor", "Kim (support)", "--json"],
      {
        db: database.db,
        now: () => new Date(),
        io: { out: (t) => (out += t), err: () => undefined },
      },
    );
    expect(code).toBe(0);
    const listed = JSON.parse(out) as { what: string; actor: { id: string } }[];
    expect(listed.map((e) => e.what)).toEqual(expect.arrayContaining(["case", "letter", "export", "access_log"]));
    expect(await latest(demo.id)).toMatchObject({ channel: "cli", actorId: "Kim (support)", what: "access_log" });
  });

  test("entries are kept for a year, then the retention sweep deletes them", async () => {
    const now = new Date("2027-06-01T00:00:00Z");
    const day = 86_400_000;
    const [inside] = await database.db
      .insert(accessLog)
      .values({
        shopId: demo.id,
        at: new Date(now.getTime() - 364 * day),
        channel: "tab",
        actorId: "demo",
        what: "case",
      })
      .returning();
    const [outside] = await database.db
      .insert(accessLog)
      .values({
        shopId: demo.id,
        at: new Date(now.getTime() - 366 * day),
        channel: "tab",
        actorId: "demo",
        what: "case",
      })
      .returning();
    const report = await runRetention(database.db, { now });
    expect(report.removed["access_log.entries"]).toBeGreaterThanOrEqual(1);
    const ids = (await entriesOf(demo.id)).map((e) => e.id);
    expect(ids).toContain(inside!.id);
    expect(ids).not.toContain(outside!.id);
  });
});
