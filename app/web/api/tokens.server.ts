import { randomBytes } from "node:crypto";

import { and, asc, eq, isNull } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { apiTokens, type Shop, shops } from "#app/db/schema";
import { sha256 } from "#app/utils/crypto.server";

export type TokenRole = "support" | "readonly";

export type ApiTokenInfo = {
  id: string;
  shopId: string;
  name: string;
  role: TokenRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

const PREFIX = "mw_";

export function hashToken(token: string): string {
  return sha256(token);
}

/** Creates a token; the plain token is returned once and only its hash is stored. */
export async function createApiToken(
  db: DbOrTx,
  shop: Shop,
  input: { role: TokenRole; name?: string },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiTokens)
    .values({
      shopId: shop.id,
      role: input.role,
      name: input.name?.trim() || `${input.role} token`,
      tokenHash: hashToken(token),
    })
    .returning();
  return { token, info: toInfo(row!) };
}

export async function listApiTokens(db: DbOrTx, shopId: string): Promise<ApiTokenInfo[]> {
  const rows = await db.select().from(apiTokens).where(eq(apiTokens.shopId, shopId)).orderBy(asc(apiTokens.createdAt));
  return rows.map(toInfo);
}

/** Revokes a token by id; returns null when there is no such token. Revoking twice is harmless. */
export async function revokeApiToken(db: DbOrTx, id: string, now: Date): Promise<ApiTokenInfo | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  if (row) return toInfo(row);
  const [existing] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return existing ? toInfo(existing) : null;
}

/**
 * Resolves a bearer token to its shop and role; null for unknown, malformed or revoked tokens, and for tokens of a
 * shop that uninstalled the app (its data awaits redaction; support reads it through the CLI).
 */
export async function authenticateApiToken(
  db: DbOrTx,
  token: string,
  now: Date,
): Promise<{ token: ApiTokenInfo; shop: Shop } | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({ token: apiTokens, shop: shops })
    .from(apiTokens)
    .innerJoin(shops, eq(shops.id, apiTokens.shopId))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.token.revokedAt || row.shop.status !== "active") return null;
  await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token.id));
  return { token: toInfo(row.token), shop: row.shop };
}

function toInfo(row: typeof apiTokens.$inferSelect): ApiTokenInfo {
  return {
    id: row.id,
    shopId: row.shopId,
    name: row.name,
    role: row.role,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
