import { randomBytes } from "node:crypto";
import { createCipheriv } from "node:crypto";

import { expect, test } from "vitest";

import { decryptSecret, encryptSecret, parseKey, secretPlace } from "./crypto.server";

const key = randomBytes(32);

const place = secretPlace("woo_connections", "consumer_secret", "3f0e7d1c-2b4a-4c5d-9e8f-7a6b5c4d3e2f");

test("round-trips and never contains the plain text", () => {
  const stored = encryptSecret("cs_secret_123", key, place);
  expect(stored).not.toContain("cs_secret_123");
  expect(stored.startsWith("v2:")).toBe(true);
  expect(decryptSecret(stored, key, place)).toBe("cs_secret_123");
  expect(encryptSecret("cs_secret_123", key, place)).not.toBe(stored);
});

test("a ciphertext is bound to its place: another row or column does not decrypt it", () => {
  const stored = encryptSecret("cs_secret_123", key, place);
  expect(() =>
    decryptSecret(
      stored,
      key,
      secretPlace("woo_connections", "consumer_secret", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"),
    ),
  ).toThrow();
  expect(() =>
    decryptSecret(stored, key, secretPlace("woo_connections", "consumer_key", "3f0e7d1c-2b4a-4c5d-9e8f-7a6b5c4d3e2f")),
  ).toThrow();
});

test("values written before places were bound (v1) still decrypt", () => {
  const iv = Buffer.alloc(12, 7);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update("legacy", "utf8"), cipher.final()]);
  const v1 = [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    data.toString("base64url"),
  ].join(":");
  expect(decryptSecret(v1, key, place)).toBe("legacy");
});

test("a tampered ciphertext or the wrong key fails instead of returning garbage", () => {
  const stored = encryptSecret("cs_secret_123", key, place);
  const parts = stored.split(":");
  const flipped = Buffer.from(parts[3]!, "base64url");
  flipped[0] = flipped[0]! ^ 1;
  expect(() =>
    decryptSecret([parts[0], parts[1], parts[2], flipped.toString("base64url")].join(":"), key, place),
  ).toThrow();
  expect(() => decryptSecret(stored, randomBytes(32), place)).toThrow();
  expect(() => decryptSecret("plain", key, place)).toThrow(/not an encrypted secret/);
});

test("keys are 32 bytes as hex or base64", () => {
  expect(parseKey("ab".repeat(32))).toHaveLength(32);
  expect(parseKey(key.toString("base64"))).toEqual(key);
  expect(() => parseKey("abcd")).toThrow(/32 bytes/);
});
