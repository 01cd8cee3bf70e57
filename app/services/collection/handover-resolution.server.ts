import { and, desc, eq } from "drizzle-orm";

import { FILE_NUMBER } from "#adapters/partners/mediafinanz/protocol";
import type { DbOrTx } from "#app/db/client.server";
import { cases, outbox, partnerAccounts } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import { type CaseCommandResult, executeCaseCommand } from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";
import { getSettings } from "#app/services/settings/settings.server";

import { HANDOVER_UNKNOWN } from "./partners.server";

/*
 * A handover whose answer never came, to a partner that cannot be asked (mediaFinanz): a person looks in the
 * partner's portal and either enters the claim number it shows, or — the partner has no such claim — confirms that
 * it is sent again. Both are recorded on the case with who decided and why.
 */

export type HandoverResolution = { kind: "claim_number"; claimNumber: string } | { kind: "resend" };

export type ResolveResult =
  CaseCommandResult | { ok: false; error: { code: "not_handover_unknown" | "invalid_claim_number"; message: string } };

/** A claim number as partners print them; mediaFinanz's file number is exactly eleven digits. */
const CLAIM_NUMBER = /^[A-Za-z0-9][A-Za-z0-9/-]{0,39}$/;

export async function resolveHandover(
  db: DbOrTx,
  input: { shopId: string; caseId: string; resolution: HandoverResolution; actor: Actor; reason: string; now: Date },
): Promise<ResolveResult> {
  const { shopId, caseId, resolution, actor, reason, now } = input;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(cases)
      .where(and(eq(cases.shopId, shopId), eq(cases.id, caseId)))
      .for("update");
    if (!row) return { ok: false as const, error: { code: "not_found" as const, message: "No such case." } };
    if (!caseFromJson(row.state).blockReasons.includes(HANDOVER_UNKNOWN))
      return {
        ok: false as const,
        error: { code: "not_handover_unknown" as const, message: "This case has no handover waiting for a decision." },
      };
    const [account] = await tx.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, shopId));
    if (resolution.kind === "claim_number") {
      const mediafinanz = account?.partner === "mediafinanz" || account?.partner === "sandbox_mediafinanz";
      const valid = mediafinanz ? FILE_NUMBER.test(resolution.claimNumber) : CLAIM_NUMBER.test(resolution.claimNumber);
      if (!valid)
        return {
          ok: false as const,
          error: {
            code: "invalid_claim_number" as const,
            message: mediafinanz
              ? "mediaFinanz's file number (Aktenzeichen) has exactly 11 digits."
              : "A claim number is 1 to 40 letters, digits, '-' or '/'.",
          },
        };
    }
    const [claimRow] = await tx
      .select()
      .from(outbox)
      .where(and(eq(outbox.shopId, shopId), eq(outbox.caseId, caseId), eq(outbox.kind, "partner.submit_claim")))
      .orderBy(desc(outbox.createdAt))
      .limit(1);
    const decided = { by: `${actor.type}:${actor.id}`, reason, at: now.toISOString() };
    const sourceId = `handover-resolved:${claimRow?.id ?? caseId}:${now.toISOString()}`;
    const unblocked = await executeCaseCommand(tx, {
      shopId,
      caseId,
      envelope: {
        command: { type: "unblock", reasons: [HANDOVER_UNKNOWN] },
        actor,
        reason: resolution.kind === "resend" ? `resend confirmed: ${reason}` : `claim number entered: ${reason}`,
        occurredAt: now,
        sourceId,
      },
    });
    if (!unblocked.ok) return unblocked;
    if (resolution.kind === "resend") {
      // The send mark goes with the decision: the next attempt sends (after its dry run).
      if (claimRow)
        await tx
          .update(outbox)
          .set({ status: "pending", attempts: 0, result: null, lastError: null, nextAttemptAt: now, updatedAt: now })
          .where(eq(outbox.id, claimRow.id));
      return unblocked;
    }
    if (claimRow)
      await tx
        .update(outbox)
        .set({ status: "done", result: { claimNumber: resolution.claimNumber, resolved: decided }, updatedAt: now })
        .where(eq(outbox.id, claimRow.id));
    const settings = await getSettings(tx, shopId);
    return executeCaseCommand(tx, {
      shopId,
      caseId,
      envelope: {
        command: {
          type: "partner_status",
          subStatus: "received",
          partnerReference: resolution.claimNumber,
          dunningOption: settings.dunningOption,
        },
        actor,
        reason,
        occurredAt: now,
        sourceId: `${sourceId}:claim-number`,
      },
    });
  });
}
