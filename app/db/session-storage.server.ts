import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { eq, inArray } from "drizzle-orm";

import { decryptSecret, encryptSecret, isEncryptedSecret, secretPlace } from "#app/utils/crypto.server";

import type { Db } from "./client.server";
import { sessions } from "./schema";

type SessionRow = typeof sessions.$inferInsert;

/**
 * Shopify session storage on our own sessions table: one database, one migration tool. With a key (ENCRYPTION_KEY,
 * required in production with Shopify) the access and refresh tokens are stored encrypted and bound to their session;
 * a token stored before that (plain text) is still read, and start-up encrypts it (app/services/shops/secrets-at-rest.server.ts).
 */
export class DrizzleSessionStorage implements SessionStorage {
  constructor(
    private readonly db: () => Promise<Db>,
    private readonly key: () => Buffer | null = () => null,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    const row = toRow(session, this.key());
    const db = await this.db();
    await db.insert(sessions).values(row).onConflictDoUpdate({ target: sessions.id, set: row });
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const db = await this.db();
    const [row] = await db.select().from(sessions).where(eq(sessions.id, id)).limit(1);
    return row ? fromRow(row, this.key()) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    const db = await this.db();
    await db.delete(sessions).where(eq(sessions.id, id));
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    const db = await this.db();
    await db.delete(sessions).where(inArray(sessions.id, ids));
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const db = await this.db();
    const rows = await db.select().from(sessions).where(eq(sessions.shop, shop));
    return rows.map((row) => fromRow(row, this.key()));
  }
}

export const sessionTokenPlace = (sessionId: string, column: "access_token" | "refresh_token") =>
  secretPlace("sessions", column, sessionId);

/** A token as stored: encrypted with the key, plain text without one (development only; production requires a key). */
export function sealSessionToken(
  token: string,
  key: Buffer | null,
  sessionId: string,
  column: "access_token" | "refresh_token",
): string {
  return key && token !== "" ? encryptSecret(token, key, sessionTokenPlace(sessionId, column)) : token;
}

function openSessionToken(
  stored: string,
  key: Buffer | null,
  sessionId: string,
  column: "access_token" | "refresh_token",
): string {
  if (!isEncryptedSecret(stored)) return stored;
  if (!key) throw new Error("a Shopify session token is encrypted, but ENCRYPTION_KEY is not set");
  return decryptSecret(stored, key, sessionTokenPlace(sessionId, column));
}

function toRow(session: Session, key: Buffer | null): SessionRow {
  const user = session.onlineAccessInfo?.associated_user;
  return {
    id: session.id,
    shop: session.shop,
    state: session.state,
    isOnline: session.isOnline,
    scope: session.scope ?? null,
    expires: session.expires ?? null,
    accessToken: sealSessionToken(session.accessToken ?? "", key, session.id, "access_token"),
    refreshToken: session.refreshToken
      ? sealSessionToken(session.refreshToken, key, session.id, "refresh_token")
      : null,
    refreshTokenExpires: session.refreshTokenExpires ?? null,
    userId: user?.id ?? null,
    firstName: user?.first_name ?? null,
    lastName: user?.last_name ?? null,
    email: user?.email ?? null,
    accountOwner: user?.account_owner ?? null,
    locale: user?.locale ?? null,
    collaborator: user?.collaborator ?? null,
    emailVerified: user?.email_verified ?? null,
  };
}

function fromRow(row: typeof sessions.$inferSelect, key: Buffer | null): Session {
  const session = new Session({
    id: row.id,
    shop: row.shop,
    state: row.state,
    isOnline: row.isOnline,
    scope: row.scope ?? undefined,
    expires: row.expires ?? undefined,
    accessToken: openSessionToken(row.accessToken, key, row.id, "access_token") || undefined,
    refreshToken: row.refreshToken ? openSessionToken(row.refreshToken, key, row.id, "refresh_token") : undefined,
    refreshTokenExpires: row.refreshTokenExpires ?? undefined,
  });
  if (row.userId !== null) {
    session.onlineAccessInfo = {
      expires_in: row.expires ? Math.max(0, Math.round((row.expires.getTime() - Date.now()) / 1000)) : 0,
      associated_user_scope: row.scope ?? "",
      associated_user: {
        id: row.userId,
        first_name: row.firstName ?? "",
        last_name: row.lastName ?? "",
        email: row.email ?? "",
        email_verified: row.emailVerified ?? false,
        account_owner: row.accountOwner ?? false,
        locale: row.locale ?? "",
        collaborator: row.collaborator ?? false,
      },
    };
  }
  return session;
}
