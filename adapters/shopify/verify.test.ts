import { createHmac } from "node:crypto";

import { describe, expect, test } from "vitest";

import { fixtureBytes, shopifyWebhookHeaders, signShopifyBody } from "#test/fixtures/sign";

import { readShopifyHeaders, verifyShopifyWebhook } from "./verify";

const SECRET = "shpss_0123456789abcdef0123456789abcdef";
const body = fixtureBytes("shopify/orders-create.json");

describe("verifyShopifyWebhook", () => {
  test("accepts the base64 HMAC-SHA256 of the raw bytes", () => {
    expect(verifyShopifyWebhook(body, signShopifyBody(body, SECRET), SECRET)).toBe(true);
  });

  test("accepts a Uint8Array body as well as a Buffer", () => {
    const plain = new Uint8Array(body);
    expect(verifyShopifyWebhook(plain, signShopifyBody(body, SECRET), SECRET)).toBe(true);
  });

  test("tolerates surrounding whitespace in the header value", () => {
    expect(verifyShopifyWebhook(body, ` ${signShopifyBody(body, SECRET)} `, SECRET)).toBe(true);
  });

  test("rejects a signature made with another key", () => {
    expect(verifyShopifyWebhook(body, signShopifyBody(body, "shpss_other"), SECRET)).toBe(false);
  });

  test("rejects a tampered body (one byte changed)", () => {
    const signature = signShopifyBody(body, SECRET);
    const tampered = Buffer.from(body);
    tampered[10] = (tampered[10] ?? 0) ^ 0x01;
    expect(verifyShopifyWebhook(tampered, signature, SECRET)).toBe(false);
  });

  test("rejects a re-serialized body (JSON.parse → stringify changes the bytes)", () => {
    const signature = signShopifyBody(body, SECRET);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))));
    expect(verifyShopifyWebhook(reserialized, signature, SECRET)).toBe(false);
  });

  test.each([null, undefined, "", "   "])("rejects a missing header (%j)", (header) => {
    expect(verifyShopifyWebhook(body, header, SECRET)).toBe(false);
  });

  test.each(["not base64!", "%%%%", "abc", "hex:" + "a".repeat(60)])("rejects a non-base64 header %j", (header) => {
    expect(verifyShopifyWebhook(body, header, SECRET)).toBe(false);
  });

  test("rejects a hex-encoded digest (right MAC, wrong encoding)", () => {
    const hex = createHmac("sha256", SECRET).update(body).digest("hex");
    expect(verifyShopifyWebhook(body, hex, SECRET)).toBe(false);
  });

  test("rejects valid base64 of the wrong length without throwing", () => {
    const digest = createHmac("sha256", SECRET).update(body).digest();
    const truncated = digest.subarray(0, 16).toString("base64");
    const extended = Buffer.concat([digest, Buffer.from([0])]).toString("base64");
    expect(() => verifyShopifyWebhook(body, truncated, SECRET)).not.toThrow();
    expect(verifyShopifyWebhook(body, truncated, SECRET)).toBe(false);
    expect(verifyShopifyWebhook(body, extended, SECRET)).toBe(false);
  });

  test("rejects everything when the secret is empty (misconfiguration must not open the door)", () => {
    expect(verifyShopifyWebhook(body, signShopifyBody(body, ""), "")).toBe(false);
  });
});

describe("readShopifyHeaders", () => {
  const headers = () =>
    shopifyWebhookHeaders(body, SECRET, {
      topic: "orders/create",
      shopDomain: "Mahnwerk-Demo.myshopify.com",
      webhookId: "wh-1",
      eventId: "ev-1",
      triggeredAt: "2026-11-23T08:00:00.123456789Z",
    });

  test("reads and normalizes all delivery headers", () => {
    const result = readShopifyHeaders(headers());
    expect(result).toStrictEqual({
      ok: true,
      value: {
        topic: "orders/create",
        shopDomain: "mahnwerk-demo.myshopify.com",
        webhookId: "wh-1",
        eventId: "ev-1",
        triggeredAt: new Date("2026-11-23T08:00:00.123Z"),
        apiVersion: "2026-07",
        hmac: signShopifyBody(body, SECRET),
      },
    });
  });

  test("optional headers may be absent", () => {
    const h = headers();
    h.delete("x-shopify-event-id");
    h.delete("x-shopify-triggered-at");
    h.delete("x-shopify-api-version");
    const result = readShopifyHeaders(h);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).not.toHaveProperty("eventId");
      expect(result.value).not.toHaveProperty("triggeredAt");
      expect(result.value.webhookId).toBe("wh-1");
    }
  });

  test("accepts the unprefixed shopify-* names of event deliveries", () => {
    const h = new Headers({
      "shopify-topic": "orders/paid",
      "shopify-shop-domain": "mahnwerk-demo.myshopify.com",
      "shopify-webhook-id": "wh-2",
    });
    expect(readShopifyHeaders(h)).toStrictEqual({
      ok: true,
      value: { topic: "orders/paid", shopDomain: "mahnwerk-demo.myshopify.com", webhookId: "wh-2" },
    });
  });

  test.each([
    ["x-shopify-topic", "X-Shopify-Topic"],
    ["x-shopify-shop-domain", "X-Shopify-Shop-Domain"],
    ["x-shopify-webhook-id", "X-Shopify-Webhook-Id"],
  ])("a missing %s is a typed missing_header error", (name, display) => {
    const h = headers();
    h.delete(name);
    expect(readShopifyHeaders(h)).toStrictEqual({
      ok: false,
      error: { code: "missing_header", header: display, message: `${display} is missing` },
    });
  });

  test.each([
    ["x-shopify-shop-domain", "evil.example.com", "X-Shopify-Shop-Domain"],
    ["x-shopify-topic", "orders create", "X-Shopify-Topic"],
    ["x-shopify-triggered-at", "yesterday", "X-Shopify-Triggered-At"],
    ["x-shopify-api-version", "v7", "X-Shopify-API-Version"],
  ])("an invalid %s is a typed invalid_header error", (name, value, display) => {
    const h = headers();
    h.set(name, value);
    const result = readShopifyHeaders(h);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("invalid_header");
      expect(result.error.header).toBe(display);
    }
  });
});
