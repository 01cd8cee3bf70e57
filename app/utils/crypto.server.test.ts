import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { decryptSecret, encryptSecret, parseKey } from "./crypto.server";

const key = randomBytes(32);

test("round-trips and never contains the plain text", () => {
  const stored = encryptSecret("cs_secret_123", key);
  expect(stored).not.toContain("cs_secret_123");
  expect(stored.startsWith("v1:")).toBe(true);
  expect(decryptSecret(stored, key)).toBe("cs_secret_123");
  expect(encryptSecret("cs_secret_123", key)).not.toBe(stored);
});

test("a tampered ciphertext or the wrong key fails instead of returning garbage", () => {
  const stored = encryptSecret("cs_secret_123", key);
  const parts = stored.split(":");
  const flipped = Buffer.from(parts[3]!, "base64url");
  flipped[0] = flipped[0]! ^ 1;
  expect(() => decryptSecret([parts[0], parts[1], parts[2], flipped.toString("base64url")].join(":"), key)).toThrow();
  expect(() => decryptSecret(stored, randomBytes(32))).toThrow();
  expect(() => decryptSecret("plain", key)).toThrow(/not an encrypted secret/);
});

test("keys are 32 bytes as hex or base64", () => {
  expect(parseKey("ab".repeat(32))).toHaveLength(32);
  expect(parseKey(key.toString("base64"))).toEqual(key);
  expect(() => parseKey("abcd")).toThrow(/32 bytes/);
});
