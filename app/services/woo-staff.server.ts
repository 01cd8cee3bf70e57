import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#app/db/client.server";
import { loginTokens, shops, staffSessions, type Shop } from "#app/db/schema";
import { err, ok, type Result } from "#app/domain/result";
import { sha256 } from "./inbox.server";
import { findConnection, webhookSecretOf } from "./woo-connections.server";

/*
 * Staff of a WooCommerce store reach the standalone tab from wp-admin without a second password: the companion
 * plugin (extensions/woocommerce/mahnwerk) signs a short-lived link with the connection's webhook secret, which
 * the store already holds for its webhooks; we check it, burn its nonce and open a session cookie for that store.
 */

export const STAFF_COOKIE = "mahnwerk_staff";
export const WP_ADMIN_LINK_MAX_AGE_S = 5 * 60;
/** A link stamped slightly in the future (store clock ahead of ours) is still accepted. */
const FUTURE_SKEW_S = 60;
const SESSION_TTL_MS = 12 * 3600_000;

const linkSchema = z.object({
  c: z.uuid(),
  t: z.string().regex(/^\d{1,12}$/).transform(Number),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  s: z.string().regex(/^[0-9a-fA-F]{64}$/),
});

/** hex HMAC-SHA256 of "c|t|n" with the connection's webhook secret: what the plugin computes. */
export function signWpAdminLink(connectionId: string, unixTime: number, nonce: string, secret: string): string {
  return createHmac("sha256", secret).update(`${connectionId}|${unixTime}|${nonce}`).digest("hex");
}

export type SignInError = { code: "invalid" | "bad_signature" | "expired" | "reused" };

/**
 * Checks a wp-admin link (?c&t&n&s): signature (constant time), age (≤ 5 minutes), single use (the nonce's hash is
 * inserted into login_tokens; a second insert of the same hash fails). Returns the store's shop id.
 */
export async function redeemWpAdminLink(db: DbOrTx, params: URLSearchParams, deps: { key: Buffer; now: Date }): Promise<Result<{ shopId: string }, SignInError>> {
  const parsed = linkSchema.safeParse({ c: params.get("c"), t: params.get("t"), n: params.get("n"), s: params.get("s") });
  if (!parsed.success) return err({ code: "invalid" });
  const { c, t, n, s } = parsed.data;
  const connection = await findConnection(db, c);
  if (!connection || connection.status !== "connected" || !connection.shopId) return err({ code: "invalid" });
  const expected = Buffer.from(signWpAdminLink(c, t, n, webhookSecretOf(connection, deps.key)), "hex");
  const received = Buffer.from(s, "hex");
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return err({ code: "bad_signature" });
  const age = Math.floor(deps.now.getTime() / 1000) - t;
  if (age > WP_ADMIN_LINK_MAX_AGE_S || age < -FUTURE_SKEW_S) return err({ code: "expired" });
  const used = await db
    .insert(loginTokens)
    .values({
      shopId: connection.shopId,
      kind: "wp_admin",
      tokenHash: sha256(`wp_admin:${c}:${n}`),
      expiresAt: new Date((t + WP_ADMIN_LINK_MAX_AGE_S) * 1000),
      usedAt: deps.now,
      createdAt: deps.now,
    })
    .onConflictDoNothing({ target: loginTokens.tokenHash })
    .returning({ id: loginTokens.id });
  if (used.length === 0) return err({ code: "reused" });
  return ok({ shopId: connection.shopId });
}

/** A new staff session for one store; only the cookie value's hash is stored. */
export async function createStaffSession(db: DbOrTx, shopId: string, now: Date): Promise<{ value: string; expiresAt: Date }> {
  const value = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insert(staffSessions).values({ shopId, sessionHash: sha256(value), expiresAt, createdAt: now });
  return { value, expiresAt };
}

export function staffCookie(value: string, expiresAt: Date, options: { secure: boolean }): string {
  return [`${STAFF_COOKIE}=${value}`, "Path=/", `Expires=${expiresAt.toUTCString()}`, "HttpOnly", "SameSite=Lax", ...(options.secure ? ["Secure"] : [])].join("; ");
}

export function clearStaffCookie(options: { secure: boolean }): string {
  return staffCookie("", new Date(0), options);
}

function cookieValue(cookieHeader: string | null, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=") || null;
  }
  return null;
}

/** True when the request carries a staff cookie at all (no database read). */
export function hasStaffCookie(request: Request): boolean {
  return cookieValue(request.headers.get("cookie"), STAFF_COOKIE) !== null;
}

/** The active WooCommerce shop of the request's unexpired staff session, or null. */
export async function shopOfStaffSession(db: DbOrTx, request: Request, now: Date): Promise<Shop | null> {
  const value = cookieValue(request.headers.get("cookie"), STAFF_COOKIE);
  if (!value || !/^[A-Za-z0-9_-]{20,100}$/.test(value)) return null;
  const [found] = await db
    .select({ shop: shops })
    .from(staffSessions)
    .innerJoin(shops, and(eq(shops.id, staffSessions.shopId), eq(shops.platform, "woocommerce"), eq(shops.status, "active")))
    .where(and(eq(staffSessions.sessionHash, sha256(value)), gt(staffSessions.expiresAt, now)))
    .limit(1);
  return found?.shop ?? null;
}

/** Ends the request's session (sign-out). */
export async function endStaffSession(db: DbOrTx, request: Request): Promise<void> {
  const value = cookieValue(request.headers.get("cookie"), STAFF_COOKIE);
  if (value) await db.delete(staffSessions).where(eq(staffSessions.sessionHash, sha256(value)));
}
