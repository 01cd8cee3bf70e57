import { createHash, createHmac } from "node:crypto";

import { describe, expect, test } from "vitest";

import { fixtureBytes, signWooBody, wooWebhookHeaders } from "#test/fixtures/sign";

import { isWooPing, readWooHeaders, verifyWooSignature, wooDedupeKey, wooPingWebhookId } from "./verify";

const SECRET = "mW7xK2pQ9rT4vY8zB3nC6dF1gH5jL0sA";
const body = fixtureBytes("woocommerce/order-created-invoice.json");
const ping = fixtureBytes("woocommerce/ping.txt");

describe("verifyWooSignature", () => {
  test("accepts base64(HMAC-SHA256(raw body, secret))", () => {
    expect(verifyWooSignature(body, signWooBody(body, SECRET), SECRET)).toBe(true);
  });

  test("rejects a signature made with another secret", () => {
    expect(verifyWooSignature(body, signWooBody(body, "another-secret"), SECRET)).toBe(false);
  });

  test("rejects a tampered body", () => {
    const signature = signWooBody(body, SECRET);
    const tampered = Buffer.from(body.toString("utf8").replace('"89.90"', '"8.99"'));
    expect(verifyWooSignature(tampered, signature, SECRET)).toBe(false);
  });

  test.each([null, undefined, ""])("rejects a missing signature (%j)", (header) => {
    expect(verifyWooSignature(body, header, SECRET)).toBe(false);
  });

  test.each(["§$%&", "not base64 at all", "abc"])("rejects a non-base64 signature %j", (header) => {
    expect(verifyWooSignature(body, header, SECRET)).toBe(false);
  });

  test("rejects base64 of the wrong length without throwing", () => {
    const digest = createHmac("sha256", SECRET).update(body).digest();
    const short = digest.subarray(0, 31).toString("base64");
    expect(() => verifyWooSignature(body, short, SECRET)).not.toThrow();
    expect(verifyWooSignature(body, short, SECRET)).toBe(false);
  });

  test("an empty secret verifies nothing", () => {
    expect(verifyWooSignature(body, signWooBody(body, ""), "")).toBe(false);
  });
});

describe("isWooPing", () => {
  const typed = (contentType: string | null) =>
    new Headers(contentType === null ? {} : { "content-type": contentType });

  test("the unsigned form body webhook_id=<n> is a ping", () => {
    expect(isWooPing(typed("application/x-www-form-urlencoded"), ping)).toBe(true);
    expect(isWooPing(typed("application/x-www-form-urlencoded; charset=UTF-8"), ping)).toBe(true);
    expect(wooPingWebhookId(ping)).toBe("17");
  });

  test("a signed delivery is never a ping, even with a ping-like body (it is stored and rejected instead)", () => {
    const signed = new Headers({
      "content-type": "application/x-www-form-urlencoded",
      "x-wc-webhook-signature": "c2lnbmVk",
      "x-wc-webhook-topic": "order.updated",
    });
    expect(isWooPing(signed, ping)).toBe(false);
    expect(isWooPing(new Headers({ "x-wc-webhook-delivery-id": "fuzz-3828" }), ping)).toBe(false);
  });

  test("a ping without content type is still recognized", () => {
    expect(isWooPing(typed(null), ping)).toBe(true);
  });

  test("a JSON delivery is never a ping, even with a ping-like body", () => {
    expect(isWooPing(typed("application/json"), ping)).toBe(false);
    expect(isWooPing(typed("application/json"), body)).toBe(false);
  });

  test.each(["webhook_id=", "webhook_id=17&x=1", "webhook_id=abc", "webhook_id=17\n", "id=17", ""])(
    "body %j is not a ping",
    (text) => {
      expect(isWooPing(typed("application/x-www-form-urlencoded"), Buffer.from(text))).toBe(false);
      expect(wooPingWebhookId(Buffer.from(text))).toBeNull();
    },
  );
});

describe("wooDedupeKey", () => {
  test("is the delivery id plus the sha256 hex of the raw body", () => {
    const hex = createHash("sha256").update(body).digest("hex");
    expect(wooDedupeKey("5f0b8c8d", body)).toBe(`5f0b8c8d:${hex}`);
  });

  test("the same delivery id with different bodies gives different keys (ids repeat within a second)", () => {
    const other = fixtureBytes("woocommerce/order-updated-cancelled.json");
    expect(wooDedupeKey("5f0b8c8d", body)).not.toBe(wooDedupeKey("5f0b8c8d", other));
  });

  test("a redelivery of the same bytes collapses onto the same key", () => {
    expect(wooDedupeKey("5f0b8c8d", body)).toBe(wooDedupeKey("5f0b8c8d", Buffer.from(body)));
  });
});

describe("readWooHeaders", () => {
  const headers = () => wooWebhookHeaders(body, SECRET, { topic: "order.created", deliveryId: "d-1", webhookId: "17" });

  test("reads all X-WC-Webhook-* headers", () => {
    expect(readWooHeaders(headers())).toStrictEqual({
      ok: true,
      value: {
        topic: "order.created",
        resource: "order",
        event: "created",
        signature: signWooBody(body, SECRET),
        webhookId: "17",
        deliveryId: "d-1",
        source: "https://wollwerk.example.de/",
      },
    });
  });

  test.each([
    ["X-WC-Webhook-Signature"],
    ["X-WC-Webhook-Topic"],
    ["X-WC-Webhook-Delivery-ID"],
    ["X-WC-Webhook-Source"],
  ])("a missing %s is a typed missing_header error", (name) => {
    const h = headers();
    h.delete(name);
    expect(readWooHeaders(h)).toStrictEqual({
      ok: false,
      error: { code: "missing_header", header: name, message: `${name} is missing` },
    });
  });

  test.each([
    ["X-WC-Webhook-Source", "javascript:alert(1)"],
    ["X-WC-Webhook-ID", "seventeen"],
    ["X-WC-Webhook-Topic", "order"],
  ])("an invalid %s is a typed invalid_header error", (name, value) => {
    const h = headers();
    h.set(name, value);
    const result = readWooHeaders(h);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: "invalid_header", header: name });
  });

  test("a ping carries no X-WC headers and is refused by the reader (answer it with isWooPing first)", () => {
    const result = readWooHeaders(new Headers({ "content-type": "application/x-www-form-urlencoded" }));
    expect(result.ok).toBe(false);
  });
});
