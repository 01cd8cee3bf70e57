import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";

import { rivertyEnvironments } from "#adapters/partners/riverty/adapter";
import { partnerAccounts, type Shop } from "#app/db/schema";
import { executeCaseCommand, startCase } from "#app/services/cases/commands.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { MEDIAFINANZ_TEST_ENDPOINTS, mediafinanzMock } from "#test/mocks/mediafinanz";
import { server } from "#test/mocks/node";
import { RIVERTY_TEST_AUTH_URL, RIVERTY_TEST_BASE_URL, RIVERTY_TEST_CONFIG, rivertyMock } from "#test/mocks/riverty";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertShop } from "#test/support/factories";

import {
  type PartnerEndpointSources,
  partnerSettingsView,
  savePartnerForm,
  testPartnerForm,
} from "./partner-settings.server";
import { openPartnerConfig } from "./partners.server";

const SECRET = RIVERTY_TEST_CONFIG.clientSecret;
const ADDRESS = {
  company: "Wollwerk GmbH",
  street: "Hafenstraße 1",
  postalCode: "20457",
  city: "Hamburg",
  countryCode: "DE",
  email: "info@wollwerk.example",
  phone: "040 123456",
};

/** Riverty's test system at the msw hosts; production is not configured on this installation. */
const sources: PartnerEndpointSources = {
  sandbox: null,
  mediafinanz: MEDIAFINANZ_TEST_ENDPOINTS,
  riverty: rivertyEnvironments(
    JSON.stringify({
      sandbox: {
        baseUrl: RIVERTY_TEST_BASE_URL,
        authUrl: RIVERTY_TEST_AUTH_URL,
        audience: RIVERTY_TEST_CONFIG.audience,
      },
    }),
  ),
};

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

beforeAll(() => {
  vi.stubEnv("ENCRYPTION_KEY", "ab".repeat(32));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe.each(testEngines())("partner settings on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeEach(async () => {
    rivertyMock.reset();
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db, { name: "Wollwerk" });
  });
  afterEach(async () => {
    await database?.close();
  });

  test("saves Riverty encrypted with the adapter's endpoints; the secret never comes back, a blank one keeps it", async () => {
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const saved = await savePartnerForm(
      database.db,
      shop.id,
      form({ partner: "riverty", environment: "sandbox", clientId: "test-client", clientSecret: SECRET }),
      sources,
    );
    expect(saved).toEqual({ intent: "partner", ok: true, done: "saved" });
    const [row] = await database.db.select().from(partnerAccounts);
    expect(row).toMatchObject({ partner: "riverty", environment: "sandbox" });
    expect(row!.credentials).not.toContain(SECRET);
    expect(openPartnerConfig(row!.credentials, row!.shopId)).toMatchObject({
      baseUrl: RIVERTY_TEST_BASE_URL,
      authUrl: RIVERTY_TEST_AUTH_URL,
      clientSecret: SECRET,
      creditor: { shopName: "Wollwerk GmbH", city: "Hamburg" },
    });

    const view = await partnerSettingsView(database.db, shop.id, sources);
    expect(view).toMatchObject({
      partner: "riverty",
      environment: "sandbox",
      clientId: "test-client",
      secretStored: true,
      available: { sandbox: false, riverty: { sandbox: true, production: false } },
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);

    // Saved again without typing the secret: the stored one stays.
    expect(
      await savePartnerForm(
        database.db,
        shop.id,
        form({ partner: "riverty", environment: "sandbox", clientId: "test-client", clientSecret: "" }),
        sources,
      ),
    ).toMatchObject({ ok: true });
    const [again] = await database.db.select().from(partnerAccounts);
    expect(openPartnerConfig(again!.credentials, again!.shopId)).toMatchObject({ clientSecret: SECRET });
  });

  test("field errors: address first, an environment the installation lacks, a missing secret, no sandbox running", async () => {
    expect(
      await savePartnerForm(
        database.db,
        shop.id,
        form({ partner: "riverty", environment: "sandbox", clientId: "x", clientSecret: "y" }),
        sources,
      ),
    ).toEqual({
      intent: "partner",
      ok: false,
      errors: { "partner.partner": { key: "settings.partner.addressMissing" } },
    });
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const outcome = await savePartnerForm(
      database.db,
      shop.id,
      form({ partner: "riverty", environment: "production", clientId: "", clientSecret: "" }),
      sources,
    );
    expect(outcome).toMatchObject({
      ok: false,
      errors: {
        "partner.environment": { key: "settings.partner.environmentUnavailable" },
        "partner.clientId": { key: "form.error.required" },
        "partner.clientSecret": { key: "form.error.required" },
      },
    });
    expect(await savePartnerForm(database.db, shop.id, form({ partner: "sandbox" }), sources)).toMatchObject({
      ok: false,
      errors: { "partner.partner": { key: "settings.partner.sandboxUnavailable" } },
    });
    // A base URL in the form is ignored: the endpoints only come from the adapter's configuration.
    expect(
      await savePartnerForm(
        database.db,
        shop.id,
        form({
          partner: "riverty",
          environment: "sandbox",
          clientId: "test-client",
          clientSecret: SECRET,
          baseUrl: "https://evil.example",
        }),
        sources,
      ),
    ).toMatchObject({ ok: true });
    const [row] = await database.db.select().from(partnerAccounts);
    expect(openPartnerConfig(row!.credentials, row!.shopId).baseUrl).toBe(RIVERTY_TEST_BASE_URL);
  });

  test("test connection: a token from Riverty means connected; refused credentials and an outage say why", async () => {
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const ok = await testPartnerForm(
      (fn) => fn(database.db),
      shop.id,
      form({ partner: "riverty", environment: "sandbox", clientId: "test-client", clientSecret: SECRET }),
      sources,
    );
    expect(ok).toEqual({ intent: "partner", ok: true, done: "connected" });
    // Nothing was stored by a test.
    expect(await database.db.select().from(partnerAccounts)).toEqual([]);

    const wrong = await testPartnerForm(
      (fn) => fn(database.db),
      shop.id,
      form({ partner: "riverty", environment: "sandbox", clientId: "test-client", clientSecret: "wrong" }),
      sources,
    );
    expect(wrong).toMatchObject({ ok: false, errors: {} });
    expect(wrong.ok ? "" : wrong.failure).toMatch(/Riverty refused the credentials \(HTTP 401/);

    server.use(
      http.post(RIVERTY_TEST_AUTH_URL, () => HttpResponse.json({ error: "temporarily_unavailable" }, { status: 503 })),
    );
    const down = await testPartnerForm(
      (fn) => fn(database.db),
      shop.id,
      form({ partner: "riverty", environment: "sandbox", clientId: "test-client", clientSecret: SECRET }),
      sources,
    );
    expect(down.ok ? "" : down.failure).toMatch(/HTTP 503/);
  });

  test("mediaFinanz: a dry run tests the credentials, the password is stored encrypted and never comes back", async () => {
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const { uuid, user, password } = mediafinanzMock.options;
    const fields = { partner: "mediafinanz", environment: "sandbox", uuid, clientId: user };
    const wrong = await testPartnerForm(
      (fn) => fn(database.db),
      shop.id,
      form({ ...fields, clientSecret: "x" }),
      sources,
    );
    expect(wrong).toMatchObject({ ok: false, failure: expect.stringContaining("Access denied") });
    const ok = await testPartnerForm(
      (fn) => fn(database.db),
      shop.id,
      form({ ...fields, clientSecret: password }),
      sources,
    );
    expect(ok).toEqual({ intent: "partner", ok: true, done: "connected" });
    expect(mediafinanzMock.files()).toEqual([]);

    const badUuid = await savePartnerForm(
      database.db,
      shop.id,
      form({ ...fields, uuid: "nope", clientSecret: password }),
      sources,
    );
    expect(badUuid).toMatchObject({ ok: false, errors: { "partner.uuid": { key: "form.error.invalid" } } });
    expect(
      await savePartnerForm(database.db, shop.id, form({ ...fields, clientSecret: password }), sources),
    ).toMatchObject({
      ok: true,
    });
    const [row] = await database.db.select().from(partnerAccounts);
    expect(row).toMatchObject({ partner: "mediafinanz", environment: "sandbox" });
    expect(row!.credentials).not.toContain(password);
    expect(openPartnerConfig(row!.credentials, row!.shopId)).toMatchObject({
      protocol: "mediafinanz",
      baseUrl: MEDIAFINANZ_TEST_ENDPOINTS.sandbox.baseUrl,
      password,
    });
    const view = await partnerSettingsView(database.db, shop.id, sources);
    expect(view).toMatchObject({ partner: "mediafinanz", clientId: user, uuid, secretStored: true });
    expect(JSON.stringify(view)).not.toContain(password);
    // A blank password keeps the stored one.
    expect(await savePartnerForm(database.db, shop.id, form({ ...fields, clientSecret: "" }), sources)).toMatchObject({
      ok: true,
    });
    const [again] = await database.db.select().from(partnerAccounts);
    expect(openPartnerConfig(again!.credentials, again!.shopId)).toMatchObject({ password });
  });

  test("a partner holding a case stays; the two sandboxes hold practice claims, the demo moves between them", async () => {
    await updateSettings(database.db, shop.id, { address: ADDRESS }, { changedBy: "t", now: new Date() });
    const { uuid, user, password } = mediafinanzMock.options;
    const withSandbox: PartnerEndpointSources = {
      ...sources,
      sandbox: {
        ...RIVERTY_TEST_CONFIG,
        mediafinanz: { ...MEDIAFINANZ_TEST_ENDPOINTS.sandbox, uuid, user, password },
      },
    };
    const save = (fields: Record<string, string>) => savePartnerForm(database.db, shop.id, form(fields), withSandbox);
    expect(await save({ partner: "sandbox" })).toMatchObject({ ok: true });
    const held = await openTestCase(database.db, shop);
    const at = new Date("2026-10-20T09:00:00Z");
    const actor = { type: "scheduler" as const, id: "dunning" };
    await startCase(database.db, { shopId: shop.id, caseId: held.case.id, actor, reason: "t", now: at });
    const handed = await executeCaseCommand(database.db, {
      shopId: shop.id,
      caseId: held.case.id,
      envelope: { command: { type: "hand_over", partnerReference: null }, actor, reason: null, occurredAt: at },
    });
    expect(handed.ok).toBe(true);
    expect(await partnerSettingsView(database.db, shop.id, withSandbox)).toMatchObject({ casesWithPartner: 1 });

    expect(await save({ partner: "sandbox_mediafinanz" })).toMatchObject({ ok: true });
    const refused = await save({
      partner: "mediafinanz",
      environment: "sandbox",
      uuid,
      clientId: user,
      clientSecret: password,
    });
    expect(refused).toMatchObject({
      ok: false,
      errors: { "partner.partner": { key: "settings.partner.casesWithPartner" } },
    });
    expect((await database.db.select().from(partnerAccounts))[0]).toMatchObject({ partner: "sandbox_mediafinanz" });
  });
});

test("RIVERTY_ENDPOINTS: the sandbox audience defaults to Riverty's test audience; a malformed value is refused", () => {
  expect(
    rivertyEnvironments(
      JSON.stringify({ sandbox: { baseUrl: "https://a.example", authUrl: "https://b.example/oauth/token" } }),
    ),
  ).toEqual({
    sandbox: {
      baseUrl: "https://a.example",
      authUrl: "https://b.example/oauth/token",
      audience: "https://api-test.horizonafs.io",
    },
  });
  expect(rivertyEnvironments(undefined)).toEqual({});
  expect(() => rivertyEnvironments("{")).toThrow(/not JSON/);
  expect(() =>
    rivertyEnvironments(JSON.stringify({ production: { baseUrl: "ftp://x", authUrl: "https://y", audience: "a" } })),
  ).toThrow(/production\.baseUrl/);
});
