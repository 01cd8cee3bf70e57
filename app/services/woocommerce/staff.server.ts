import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import { and, count, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";

import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { loginTokens, type Shop, shops, staffMembers, staffSessions } from "#app/db/schema";
import { err, ok, type Result } from "#app/domain/result";
import type { Staff } from "#app/domain/staff";
import { isMailAddress, type Mailer } from "#app/mail/mailer.server";
import { escapeHtml } from "#app/mail/reminder-templates";
import { sha256 } from "#app/utils/crypto.server";
import { logger } from "#app/utils/logger.server";

import { findConnection, webhookSecretOf } from "./connections.server";

/*
 * Staff of a WooCommerce store reach the standalone tab from wp-admin without a second password: the companion
 * plugin (extensions/woocommerce/mahnwerk) signs a short-lived link with the connection's webhook secret, which
 * the store already holds for its webhooks; we check it, burn its nonce and open a session cookie for that store.
 * The link names the WordPress user who clicked it, so every action in the tab is recorded under that person.
 */

export const STAFF_COOKIE = "mahnwerk_staff";
/**
 * In production (https) the cookie carries the __Host- prefix: browsers then keep it only when Secure, host-only and
 * Path=/, so no sibling subdomain can plant a session cookie; the plain name is not read there.
 */
export const SECURE_STAFF_COOKIE = `__Host-${STAFF_COOKIE}`;
export const staffCookieName = (secure: boolean) => (secure ? SECURE_STAFF_COOKIE : STAFF_COOKIE);
const readCookieName = () => staffCookieName(getEnv().NODE_ENV === "production");
export const WP_ADMIN_LINK_MAX_AGE_S = 5 * 60;
/** A link stamped slightly in the future (store clock ahead of ours) is still accepted. */
const FUTURE_SKEW_S = 60;
const SESSION_TTL_MS = 12 * 3600_000;

const linkSchema = z.object({
  c: z.uuid(),
  t: z
    .string()
    .regex(/^\d{1,12}$/)
    .transform(Number),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  s: z.string().regex(/^[0-9a-fA-F]{64}$/),
  /** base64url JSON of the WordPress user (wpUserSchema); base64url has no "|", so "c|t|n|u" stays unambiguous. */
  u: z.string().regex(/^[A-Za-z0-9_-]{4,2000}$/),
});

const wpUserSchema = z.object({
  id: z.number().int().positive(),
  // Shortened rather than refused: a long display name must not lock its owner out.
  name: z
    .string()
    .transform((v) => v.trim().slice(0, 200))
    .nullish(),
  email: z.string().trim().toLowerCase().max(320).nullish(),
});
export type WpUser = z.input<typeof wpUserSchema>;

/** The `u` parameter the plugin sends: base64url(JSON of the user). */
export function encodeWpUser(user: WpUser): string {
  return Buffer.from(JSON.stringify(user), "utf8").toString("base64url");
}

function decodeWpUser(u: string): z.output<typeof wpUserSchema> | null {
  try {
    const parsed = wpUserSchema.safeParse(JSON.parse(Buffer.from(u, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** hex HMAC-SHA256 of "c|t|n|u" with the connection's webhook secret: what the plugin computes. */
export function signWpAdminLink(
  connectionId: string,
  unixTime: number,
  nonce: string,
  user: string,
  secret: string,
): string {
  return createHmac("sha256", secret).update(`${connectionId}|${unixTime}|${nonce}|${user}`).digest("hex");
}

/**
 * A store request that carries more than the user (the order screen's meta box: order id, action, reason hash): the
 * purpose leads the signed text, so a signature for one kind of request is never valid for another.
 */
export function signStoreRequest(
  purpose: string,
  fields: { c: string; t: number; n: string; u: string },
  extra: string[],
  secret: string,
): string {
  const text = [purpose, fields.c, fields.t, fields.n, fields.u, ...extra].join("|");
  return createHmac("sha256", secret).update(text).digest("hex");
}

/** A signed-in staff member of a WooCommerce store, as the session carries them. */
export type StaffSignIn = Staff & { email: string | null };

export type SignInError = { code: "invalid" | "bad_signature" | "expired" | "reused" };

type StoreSigned = { shopId: string; user: z.output<typeof wpUserSchema> };

/** What a signed store request is for: the sign-in link and removal report sign c|t|n|u; others sign more. */
type StorePurpose =
  { name: "wp_admin" | "wp_user_removed" } | { name: "order_case"; extra: string[]; singleUse: boolean };

/**
 * A request the companion plugin signed for one WordPress user (?c&t&n&u&s): signature (constant time), age
 * (≤ 5 minutes), single use (the nonce's hash, namespaced by purpose, is inserted into login_tokens; a second insert
 * of the same hash fails).
 */
async function verifyStoreSigned(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
  purpose: StorePurpose,
): Promise<Result<StoreSigned, SignInError>> {
  const parsed = linkSchema.safeParse({
    c: params.get("c"),
    t: params.get("t"),
    n: params.get("n"),
    u: params.get("u"),
    s: params.get("s"),
  });
  if (!parsed.success) return err({ code: "invalid" });
  const { c, t, n, u, s } = parsed.data;
  const connection = await findConnection(db, c);
  if (!connection || connection.status !== "connected" || !connection.shopId) return err({ code: "invalid" });
  const secret = webhookSecretOf(connection, deps.key);
  const expected = Buffer.from(
    "extra" in purpose
      ? signStoreRequest(purpose.name, { c, t, n, u }, purpose.extra, secret)
      : signWpAdminLink(c, t, n, u, secret),
    "hex",
  );
  const received = Buffer.from(s, "hex");
  if (received.length !== expected.length || !timingSafeEqual(received, expected))
    return err({ code: "bad_signature" });
  // Signed by the store but not a user we can read: refuse rather than record an anonymous actor.
  const user = decodeWpUser(u);
  if (!user) return err({ code: "invalid" });
  const age = Math.floor(deps.now.getTime() / 1000) - t;
  if (age > WP_ADMIN_LINK_MAX_AGE_S || age < -FUTURE_SKEW_S) return err({ code: "expired" });
  // Reading the order's case may repeat within the five minutes; everything that changes something happens once.
  if ("singleUse" in purpose && !purpose.singleUse) return ok({ shopId: connection.shopId, user });
  const used = await db
    .insert(loginTokens)
    .values({
      shopId: connection.shopId,
      kind: "wp_admin",
      tokenHash: sha256(`${purpose.name}:${c}:${n}`),
      expiresAt: new Date((t + WP_ADMIN_LINK_MAX_AGE_S) * 1000),
      usedAt: deps.now,
      createdAt: deps.now,
    })
    .onConflictDoNothing({ target: loginTokens.tokenHash })
    .returning({ id: loginTokens.id });
  if (used.length === 0) return err({ code: "reused" });
  return ok({ shopId: connection.shopId, user });
}

/**
 * A request of the order screen's meta box, signed over c|t|n|u and its own fields (order id, action, the reason's
 * SHA-256): the store's shop and the WordPress user acting. Actions are single-use; reading is not.
 */
export async function verifyOrderCaseRequest(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
  request: { orderId: string; action: string; reason: string },
): Promise<Result<{ shopId: string; staff: Staff }, SignInError>> {
  const signed = await verifyStoreSigned(db, params, deps, {
    name: "order_case",
    extra: [request.orderId, request.action, sha256(request.reason)],
    singleUse: request.action !== "view",
  });
  if (!signed.ok) return signed;
  const { shopId, user } = signed.value;
  return ok({ shopId, staff: { id: `wp:${user.id}`, name: user.name || null } });
}

/**
 * Checks a wp-admin link and returns the store's shop id and the WordPress user, who is remembered as a staff member
 * of that store (staff_members).
 */
export async function redeemWpAdminLink(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
): Promise<Result<{ shopId: string; staff: StaffSignIn }, SignInError>> {
  const signed = await verifyStoreSigned(db, params, deps, { name: "wp_admin" });
  if (!signed.ok) return signed;
  const { shopId, user } = signed.value;
  const staff: StaffSignIn = {
    id: `wp:${user.id}`,
    name: user.name || null,
    email: user.email && isMailAddress(user.email) ? user.email : null,
  };
  await db
    .insert(staffMembers)
    .values({
      shopId,
      staffId: staff.id,
      name: staff.name,
      email: staff.email,
      lastWpAdminSignInAt: deps.now,
      createdAt: deps.now,
    })
    .onConflictDoUpdate({
      target: [staffMembers.shopId, staffMembers.staffId],
      set: { name: staff.name, email: staff.email, lastWpAdminSignInAt: deps.now },
    });
  return ok({ shopId, staff });
}

/**
 * The plugin reports a WordPress user deleted or stripped of the capability: their sessions, unused sign-in links and
 * their standing as staff (which lets them ask for links by e-mail) end at once, not when they would expire.
 */
export async function removeStaffMember(
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
): Promise<Result<{ shopId: string; staffId: string }, SignInError>> {
  const signed = await verifyStoreSigned(db, params, deps, { name: "wp_user_removed" });
  if (!signed.ok) return signed;
  const { shopId, user } = signed.value;
  const staffId = `wp:${user.id}`;
  const [member] = await db
    .delete(staffMembers)
    .where(and(eq(staffMembers.shopId, shopId), eq(staffMembers.staffId, staffId)))
    .returning({ email: staffMembers.email });
  await db.delete(staffSessions).where(and(eq(staffSessions.shopId, shopId), eq(staffSessions.staffId, staffId)));
  const email = member?.email ?? user.email?.trim().toLowerCase();
  if (email)
    await db
      .delete(loginTokens)
      .where(
        and(
          eq(loginTokens.shopId, shopId),
          eq(loginTokens.kind, "magic_link"),
          eq(loginTokens.email, email),
          isNull(loginTokens.usedAt),
        ),
      );
  logger.info({ shopId }, "woocommerce staff member removed by the store");
  return ok({ shopId, staffId });
}

/** A new staff session for one store and person; only the cookie value's hash is stored. */
export async function createStaffSession(
  db: DbOrTx,
  shopId: string,
  staff: StaffSignIn,
  now: Date,
): Promise<{ value: string; expiresAt: Date }> {
  const value = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insert(staffSessions).values({
    shopId,
    staffId: staff.id,
    staffName: staff.name,
    email: staff.email,
    sessionHash: sha256(value),
    expiresAt,
    createdAt: now,
  });
  return { value, expiresAt };
}

export function staffCookie(value: string, expiresAt: Date, options: { secure: boolean }): string {
  return [
    `${staffCookieName(options.secure)}=${value}`,
    "Path=/",
    `Expires=${expiresAt.toUTCString()}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
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
  return cookieValue(request.headers.get("cookie"), readCookieName()) !== null;
}

/** The active WooCommerce shop of the request's unexpired staff session and who signed in, or null. */
export async function staffSessionOf(
  db: DbOrTx,
  request: Request,
  now: Date,
): Promise<{ shop: Shop; staff: Staff } | null> {
  const value = cookieValue(request.headers.get("cookie"), readCookieName());
  if (!value || !/^[A-Za-z0-9_-]{20,100}$/.test(value)) return null;
  const [found] = await db
    .select({
      shop: shops,
      staffId: staffSessions.staffId,
      staffName: staffSessions.staffName,
      email: staffSessions.email,
    })
    .from(staffSessions)
    .innerJoin(
      shops,
      and(eq(shops.id, staffSessions.shopId), eq(shops.platform, "woocommerce"), eq(shops.status, "active")),
    )
    .where(and(eq(staffSessions.sessionHash, sha256(value)), gt(staffSessions.expiresAt, now)))
    .limit(1);
  if (!found) return null;
  // Sessions opened before staff were recorded (at most SESSION_TTL old) carry no person: say so rather than guess.
  return {
    shop: found.shop,
    staff: { id: found.staffId ?? (found.email ? `email:${found.email}` : "wp:unknown"), name: found.staffName },
  };
}

/** The active WooCommerce shop of the request's unexpired staff session, or null. */
export async function shopOfStaffSession(db: DbOrTx, request: Request, now: Date): Promise<Shop | null> {
  return (await staffSessionOf(db, request, now))?.shop ?? null;
}

/** Ends the request's session (sign-out). */
export async function endStaffSession(db: DbOrTx, request: Request): Promise<void> {
  const value = cookieValue(request.headers.get("cookie"), readCookieName());
  if (value) await db.delete(staffSessions).where(eq(staffSessions.sessionHash, sha256(value)));
}

// ---------------------------------------------------------------------------------------------------------
// E-mailed sign-in link, for staff not coming from wp-admin (another device, the plugin not installed yet).
//
// Who may ask: only addresses the store itself vouched for, i.e. WordPress users who opened Mahnwerk from wp-admin
// through a signed link within STAFF_MEMBER_RECENT_DAYS (staff_members). A user removed in WordPress stops being
// recent, and the plugin reports a removed user at once (removeStaffMember). The answer never says whether an
// address is known; a link works once, for MAGIC_LINK_TTL_MS, and only its hash is stored. The link opens a page whose button signs in (a POST), so mail
// scanners that fetch every link do not burn it.

export const MAGIC_LINK_TTL_MS = 15 * 60_000;
export const STAFF_MEMBER_RECENT_DAYS = 30;
/** Links sent to one address per hour, counted in the database so every web process shares the limit. */
export const MAGIC_LINKS_PER_ADDRESS_PER_HOUR = 3;
/** One address may be staff of several stores; more than a few links in one mail helps nobody. */
const MAX_STORES_PER_MAIL = 5;
const MAGIC_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const magicTokenHash = (token: string) => sha256(`magic_link:${token}`);

export type MagicLinkMailText = {
  subject: string;
  /** Plain text with {name}, {store}, {minutes} and {link} filled in by the caller's translator. */
  body: (values: { name: string; store: string; minutes: number; link: string }) => string;
  signOff: string;
};

export type MagicLinkDeps = { now: Date; appUrl: string; mailer: Mailer; from: string; text: MagicLinkMailText };

/**
 * Sends a sign-in link for every store where `email` is a recent staff member (within the hourly limit). Resolves to
 * how many mails went out, for tests and logs only: callers answer the same whatever it is, and should not wait for
 * it (the time an SMTP server takes would tell a known address from an unknown one).
 */
export async function sendMagicLinks(db: DbOrTx, emailInput: string, deps: MagicLinkDeps): Promise<number> {
  const email = emailInput.trim().toLowerCase();
  if (!isMailAddress(email)) return 0;
  const recentSince = new Date(deps.now.getTime() - STAFF_MEMBER_RECENT_DAYS * 86_400_000);
  const members = await db
    .select({ shopId: staffMembers.shopId, name: staffMembers.name, store: shops.name })
    .from(staffMembers)
    .innerJoin(
      shops,
      and(eq(shops.id, staffMembers.shopId), eq(shops.platform, "woocommerce"), eq(shops.status, "active")),
    )
    .where(and(eq(staffMembers.email, email), gt(staffMembers.lastWpAdminSignInAt, recentSince)))
    .orderBy(desc(staffMembers.lastWpAdminSignInAt))
    .limit(MAX_STORES_PER_MAIL);
  if (members.length === 0) return 0;
  const expiresAt = new Date(deps.now.getTime() + MAGIC_LINK_TTL_MS);
  const issued = await db.transaction(async (tx) => {
    // Count and insert under one lock per address: concurrent requests would otherwise all count below the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`magic_link:${email}`}))`);
    const [{ recent }] = (await tx
      .select({ recent: count() })
      .from(loginTokens)
      .where(
        and(
          eq(loginTokens.kind, "magic_link"),
          eq(loginTokens.email, email),
          gt(loginTokens.createdAt, new Date(deps.now.getTime() - 3600_000)),
        ),
      )) as [{ recent: number }];
    if (Number(recent) >= MAGIC_LINKS_PER_ADDRESS_PER_HOUR) return null;
    const links: { store: string; link: string; name: string | null }[] = [];
    let first: string | null = null;
    for (const member of members) {
      const token = randomBytes(32).toString("base64url");
      const [row] = await tx
        .insert(loginTokens)
        .values({
          shopId: member.shopId,
          kind: "magic_link",
          tokenHash: magicTokenHash(token),
          email,
          expiresAt,
          createdAt: deps.now,
        })
        .returning({ id: loginTokens.id });
      first ??= row!.id;
      links.push({ store: member.store, link: `${deps.appUrl}/woocommerce/login?token=${token}`, name: member.name });
    }
    return { links, first: first! };
  });
  if (!issued) {
    logger.warn({ members: members.length }, "magic link: hourly limit for an address reached, none sent");
    return 0;
  }
  const { links, first } = issued;
  const minutes = MAGIC_LINK_TTL_MS / 60_000;
  const name = links[0]!.name ?? email;
  const paragraphs = links.map((l) => ({
    text: deps.text.body({ name, store: l.store, minutes, link: l.link }),
    link: l.link,
  }));
  const text = [...paragraphs.map((p) => p.text), deps.text.signOff].join("\n\n");
  // Only our own link becomes an anchor: a store or user name that looks like a URL stays text.
  const htmlParagraph = (p: { text: string; link?: string }) => {
    const escaped = escapeHtml(p.text);
    const withLink = p.link
      ? escaped.replace(escapeHtml(p.link), `<a href="${escapeHtml(p.link)}">${escapeHtml(p.link)}</a>`)
      : escaped;
    return `<p>${withLink.replaceAll("\n", "<br>")}</p>`;
  };
  const html = `<!doctype html><html><head><meta charset="utf-8"></head><body>${[...paragraphs, { text: deps.text.signOff }].map(htmlParagraph).join("")}</body></html>`;
  const result = await deps.mailer.send({
    idempotencyKey: `staff-login:${first}`,
    from: { name: "Mahnwerk", address: deps.from },
    to: email,
    subject: deps.text.subject,
    text,
    html,
    headers: { "Auto-Submitted": "auto-generated" },
  });
  if (!result.ok) {
    logger.warn({ reason: result.reason }, "magic link mail not sent");
    return 0;
  }
  return 1;
}

/**
 * Burns a magic-link token (one conditional UPDATE: unused and unexpired) and names the staff member it was sent
 * to, who must still be a recent staff member of that store. Refusals are not told apart to the visitor.
 */
export async function redeemMagicLink(
  db: DbOrTx,
  token: string,
  now: Date,
): Promise<Result<{ shopId: string; staff: StaffSignIn }, SignInError>> {
  if (!MAGIC_TOKEN.test(token)) return err({ code: "invalid" });
  const [used] = await db
    .update(loginTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(loginTokens.tokenHash, magicTokenHash(token)),
        eq(loginTokens.kind, "magic_link"),
        isNull(loginTokens.usedAt),
        gt(loginTokens.expiresAt, now),
      ),
    )
    .returning({ shopId: loginTokens.shopId, email: loginTokens.email });
  if (!used) {
    const [known] = await db
      .select({ usedAt: loginTokens.usedAt })
      .from(loginTokens)
      .where(eq(loginTokens.tokenHash, magicTokenHash(token)))
      .limit(1);
    return err({ code: !known ? "invalid" : known.usedAt ? "reused" : "expired" });
  }
  const recentSince = new Date(now.getTime() - STAFF_MEMBER_RECENT_DAYS * 86_400_000);
  const [member] = await db
    .select({ staffId: staffMembers.staffId, name: staffMembers.name })
    .from(staffMembers)
    .where(
      and(
        eq(staffMembers.shopId, used.shopId),
        eq(staffMembers.email, used.email ?? ""),
        gt(staffMembers.lastWpAdminSignInAt, recentSince),
      ),
    )
    .limit(1);
  if (!member) return err({ code: "invalid" });
  return ok({ shopId: used.shopId, staff: { id: member.staffId, name: member.name, email: used.email } });
}

const magicLinksInFlight = new Set<Promise<unknown>>();

/**
 * sendMagicLinks without waiting for it (the request's answer must not depend on the mail server); failures are
 * logged. magicLinksSettled() waits for every one started (a test's teardown, before its database goes away).
 */
export function startMagicLinks(db: DbOrTx, email: string, deps: MagicLinkDeps): void {
  const running = sendMagicLinks(db, email, deps)
    .catch((error: unknown) => logger.error({ err: error }, "magic link request failed"))
    .finally(() => {
      deps.mailer.close();
      magicLinksInFlight.delete(running);
    });
  magicLinksInFlight.add(running);
}

export async function magicLinksSettled(): Promise<void> {
  await Promise.allSettled([...magicLinksInFlight]);
}
