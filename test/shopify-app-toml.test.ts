import { readFileSync } from "node:fs";

import { expect, test } from "vitest";

import { SHOPIFY_API_VERSION } from "#app/shopify.server";

const toml = readFileSync("shopify.app.toml", "utf8");

test("the webhook api_version equals the Admin API version the app uses, and is 2026-07 or newer", () => {
  const version = /api_version\s*=\s*"([^"]+)"/.exec(toml)?.[1];
  expect(version).toBe(SHOPIFY_API_VERSION);
  expect(version! >= "2026-07").toBe(true);
});

test("requests read_all_orders and payment terms, and sends every topic to /webhooks/shopify", () => {
  expect(toml).toMatch(/scopes = ".*read_all_orders.*"/);
  expect(toml).toMatch(/scopes = ".*read_payment_terms.*"/);
  const uris = [...toml.matchAll(/uri = "([^"]+)"/g)].map((m) => m[1]);
  expect(uris.length).toBeGreaterThan(0);
  expect(new Set(uris)).toEqual(new Set(["/webhooks/shopify"]));
  for (const topic of [
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "order_transactions/create",
    "refunds/create",
    "disputes/create",
    "disputes/update",
    "app/uninstalled",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
  ]) {
    expect(toml).toContain(`"${topic}"`);
  }
});

test("the checkout guard's scopes are optional, asked for only when a shop turns the guard on", async () => {
  const { GUARD_SCOPES } = await import("#app/services/shopify/invoice-guard.server");
  const optional = /optional_scopes = \[([^\]]*)\]/.exec(toml)?.[1];
  expect(optional?.split(",").map((s) => s.trim().replace(/"/g, ""))).toEqual([...GUARD_SCOPES]);
  const required = /^scopes = "([^"]*)"/m.exec(toml)?.[1]?.split(",") ?? [];
  for (const scope of GUARD_SCOPES) expect(required).not.toContain(scope);
});
