import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/** Hex SHA-256 of a body or a token: content keys for deliveries, stored hashes of tokens. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * AES-256-GCM for secrets at rest (store API keys, partner credentials, Shopify tokens). Stored as
 * "v2:<iv>:<tag>:<ciphertext>" in base64url, with the value's place ("table:column:row id") as associated data: a
 * ciphertext copied into another row or column does not decrypt there. "v1" (no place) is read for rows written
 * before places were bound; start-up rewrites them (app/services/shops/secrets-at-rest.server.ts).
 */
export function parseKey(key: string): Buffer {
  const buffer = /^[0-9a-fA-F]{64}$/.test(key) ? Buffer.from(key, "hex") : Buffer.from(key, "base64");
  if (buffer.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes");
  return buffer;
}

/** Where a secret lives, e.g. secretPlace("sessions", "access_token", id). */
export const secretPlace = (table: string, column: string, rowId: string) => `${table}:${column}:${rowId}`;

export function encryptSecret(plain: string, key: Buffer, place: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(place, "utf8"));
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v2", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(
    ":",
  );
}

export function isEncryptedSecret(stored: string): boolean {
  return /^v[12]:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/.test(stored);
}

/** Whether a stored secret predates bound places (and should be rewritten). */
export const isUnboundSecret = (stored: string) => stored.startsWith("v1:");

export function decryptSecret(stored: string, key: Buffer, place: string): string {
  const [version, iv, tag, data] = stored.split(":");
  if ((version !== "v1" && version !== "v2") || !iv || !tag || data === undefined)
    throw new Error("not an encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  if (version === "v2") decipher.setAAD(Buffer.from(place, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}
