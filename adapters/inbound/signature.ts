import { createHmac, timingSafeEqual } from "node:crypto";

const SHA256_BYTES = 32;
// Standard base64 (not url-safe), padded; an HMAC-SHA256 is 44 characters with one "=".
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * True only when `header` is the base64 HMAC-SHA256 of exactly these bytes under `secret` (how Shopify and WooCommerce
 * both sign webhooks). Missing, empty, non-base64 or wrong-length headers are false, never a throw. Constant-time.
 */
export function verifyBase64HmacSha256(
  rawBody: Uint8Array,
  header: string | null | undefined,
  secret: string,
): boolean {
  if (!secret || typeof header !== "string") return false;
  const value = header.trim();
  if (value.length === 0 || !BASE64.test(value)) return false;
  const received = Buffer.from(value, "base64");
  if (received.length !== SHA256_BYTES) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return expected.length === received.length && timingSafeEqual(expected, received);
}
