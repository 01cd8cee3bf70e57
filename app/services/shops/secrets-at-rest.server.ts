import { and, eq, like, not, or, sql } from "drizzle-orm";

import type { Db } from "#app/db/client.server";
import { partnerAccounts, sessions, wooConnections } from "#app/db/schema";
import { sealSessionToken } from "#app/db/session-storage.server";
import { partnerCredentialsPlace } from "#app/services/collection/partners.server";
import { wooSecretPlace } from "#app/services/woocommerce/connections.server";
import { decryptSecret, encryptSecret, isUnboundSecret } from "#app/utils/crypto.server";

export type SealReport = { sessions: number; wooConnections: number; partnerAccounts: number };

/**
 * Brings secrets written by older versions up to today's form, at every start with ENCRYPTION_KEY: Shopify tokens
 * stored in plain text are encrypted, and "v1" ciphertexts (not bound to their row) are rewritten bound. Each update
 * names the old value, so a token refreshed meanwhile by another process is left as that process wrote it; running
 * it twice, or in several processes at once, changes nothing more.
 */
export async function sealSecretsAtRest(db: Db, key: Buffer): Promise<SealReport> {
  const report: SealReport = { sessions: 0, wooConnections: 0, partnerAccounts: 0 };

  const plainSessions = await db
    .select({ id: sessions.id, accessToken: sessions.accessToken, refreshToken: sessions.refreshToken })
    .from(sessions)
    .where(
      or(
        and(not(like(sessions.accessToken, "v2:%")), sql`${sessions.accessToken} <> ''`),
        not(like(sessions.refreshToken, "v2:%")),
      ),
    );
  for (const row of plainSessions) {
    const accessToken = row.accessToken.startsWith("v2:")
      ? row.accessToken
      : sealSessionToken(row.accessToken, key, row.id, "access_token");
    const refreshToken =
      row.refreshToken === null || row.refreshToken.startsWith("v2:")
        ? row.refreshToken
        : sealSessionToken(row.refreshToken, key, row.id, "refresh_token");
    const done = await db
      .update(sessions)
      .set({ accessToken, refreshToken })
      .where(and(eq(sessions.id, row.id), eq(sessions.accessToken, row.accessToken)))
      .returning({ id: sessions.id });
    report.sessions += done.length;
  }

  const unboundWoo = await db
    .select()
    .from(wooConnections)
    .where(
      or(
        like(wooConnections.webhookSecret, "v1:%"),
        like(wooConnections.consumerKey, "v1:%"),
        like(wooConnections.consumerSecret, "v1:%"),
      ),
    );
  for (const row of unboundWoo) {
    const rebind = (stored: string | null, column: "consumer_key" | "consumer_secret" | "webhook_secret") => {
      if (stored === null || !isUnboundSecret(stored)) return stored;
      const place = wooSecretPlace(row.id, column);
      return encryptSecret(decryptSecret(stored, key, place), key, place);
    };
    const done = await db
      .update(wooConnections)
      .set({
        webhookSecret: rebind(row.webhookSecret, "webhook_secret")!,
        consumerKey: rebind(row.consumerKey, "consumer_key"),
        consumerSecret: rebind(row.consumerSecret, "consumer_secret"),
      })
      .where(and(eq(wooConnections.id, row.id), eq(wooConnections.webhookSecret, row.webhookSecret)))
      .returning({ id: wooConnections.id });
    report.wooConnections += done.length;
  }

  const unboundPartners = await db.select().from(partnerAccounts).where(like(partnerAccounts.credentials, "v1:%"));
  for (const row of unboundPartners) {
    const place = partnerCredentialsPlace(row.shopId);
    const done = await db
      .update(partnerAccounts)
      .set({ credentials: encryptSecret(decryptSecret(row.credentials, key, place), key, place) })
      .where(and(eq(partnerAccounts.id, row.id), eq(partnerAccounts.credentials, row.credentials)))
      .returning({ id: partnerAccounts.id });
    report.partnerAccounts += done.length;
  }
  return report;
}
