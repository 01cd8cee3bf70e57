// PartnerChange → the case commands it stands for. Pure: the service layer looks the case up, passes what this
// needs to know about it, and applies the commands (each with its sourceId, so a change applied twice is a no-op).
import type { CaseCommand } from "#app/domain/case/transitions";
import { type Money, toDecimalString } from "#app/domain/money";

import type { PartnerChange } from "./collection-partner";

export type PartnerCommand = Extract<
  CaseCommand,
  { type: "hand_over" | "partner_status" | "payment" | "confirm_cancellation" | "fail" }
>;

export type MappedCommand = {
  command: PartnerCommand;
  /** The change id, namespaced: the case's idempotence key for this fact. */
  sourceId: string;
  occurredAt: Date;
};

export type MappedChange = {
  commands: MappedCommand[];
  /** Why nothing (or not everything) is done, for the case timeline and logs; null when the commands say it all. */
  note: string | null;
};

/** What the mapping needs to know about the case the change belongs to. */
export type CaseContext = {
  dunningOption: "A" | "B";
  /** The case already went through hand_over (with or without the partner's claim number). */
  handedOver: boolean;
  /** Still owed, to turn "closed: paid in full" into the payment that settles it. */
  outstanding: Money;
};

/** Riverty's rejection reasons (documentation/rejection) as Mahnwerk reason codes shown to the shop. */
export const REJECTION_REASON_CODES: Record<string, string> = {
  AMOUNT_TOO_LOW: "partner_amount_too_low",
  AMOUNT_TOO_HIGH: "partner_amount_too_high",
  CLAIM_NOT_PLAUSIBLE: "partner_claim_not_plausible",
  BREACH_OF_CONTRACT: "partner_breach_of_contract",
  CONTRAVENTION: "partner_contravention",
  INSOLVENCY: "partner_debtor_insolvent",
  INCORRECT_CURRENCY: "currency_not_supported",
  NO_ASSIGNMENT_POSSIBLE: "partner_no_assignment_possible",
  CUSTOMER_INCAPABLE_OF_CONTRACTING: "partner_debtor_incapable_of_contracting",
  CUSTOMER_ABROAD: "partner_debtor_abroad",
  FRAUD_KNOWN: "partner_known_fraud",
};

export function rejectionReasonCode(reason: string): string {
  return REJECTION_REASON_CODES[reason] ?? `partner_rejected_${reason.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
}

/** Closing codes with outcome "other" that mean the debtor contests the claim: it stays disputed. */
const DISPUTED_CLOSINGS = new Set(["CLAIM_DISPUTED", "CLAIM_DISMISSED"]);
/** Closing codes with outcome "other" where the partner returns the claim: the shop has to look at it. */
const RETURNED_CLOSINGS = new Set([
  "RETURNED_TO_CLIENT",
  "FRAUD",
  "MISSING_DATA",
  "NO_CONTRACT_DOCUMENTATION",
  "DUPLICATE_CONTRACT",
  "SECOND_PLACEMENT",
  "SOLDIER",
]);

export function mapPartnerChange(change: PartnerChange, context: CaseContext): MappedChange {
  const one = (command: PartnerCommand): MappedCommand => ({
    command,
    sourceId: `partner:${change.id}`,
    occurredAt: change.occurredAt,
  });
  const none = (note: string): MappedChange => ({ commands: [], note });
  const reference = change.claimNumber;
  const status = (
    subStatus: "received" | "contacted" | "payment_plan" | "disputed" | "court_procedure" | "uncollectible",
  ) => one({ type: "partner_status", subStatus, partnerReference: reference, dunningOption: context.dunningOption });

  switch (change.type) {
    case "confirmed":
      if (change.subject !== "claim") return none(`partner confirmed the ${change.subject.replace(/_/g, " ")} request`);
      return {
        commands: [
          context.handedOver ? status("received") : one({ type: "hand_over", partnerReference: change.claimNumber }),
        ],
        note: null,
      };
    case "rejected": {
      const reasons = change.reasons.length > 0 ? change.reasons.map(rejectionReasonCode) : ["partner_rejected"];
      if (change.subject !== "claim") {
        // A refused follow-up (payment report, recall) leaves the claim where it is; the shop must look at it.
        return none(
          `partner rejected the ${change.subject.replace(/_/g, " ")} request: ${[...reasons, change.description ?? ""].filter(Boolean).join(", ")}`,
        );
      }
      return { commands: [one({ type: "fail", reasons })], note: change.description };
    }
    case "sub_status":
      return { commands: [status(change.subStatus)], note: null };
    case "payment":
      if (change.receivedBy === "client")
        return none("partner booked a payment the shop received (already applied as the shop's payment)");
      if (change.amount.amountMinor <= 0) return none("partner reported a payment of zero");
      return {
        commands: [one({ type: "payment", amount: change.amount, side: "partner" })],
        note: change.fees
          ? `partner also collected ${toDecimalString(change.fees)} ${change.fees.currency} in dunning fees and interest`
          : null,
      };
    case "closed":
      switch (change.outcome) {
        case "paid_in_full":
          if (context.outstanding.amountMinor <= 0)
            return none(`partner closed the claim (${change.detail}); nothing is outstanding`);
          return { commands: [one({ type: "payment", amount: context.outstanding, side: "partner" })], note: null };
        case "partial":
          // Whatever was recovered arrived as payments; the rest is given up.
          return {
            commands: [status("uncollectible")],
            note: `partner closed the claim with partial success (${change.detail})`,
          };
        case "uncollectible":
          return { commands: [status("uncollectible")], note: `partner closed the claim: ${change.detail}` };
        case "recalled":
          return { commands: [one({ type: "confirm_cancellation" })], note: null };
        case "other":
          if (DISPUTED_CLOSINGS.has(change.detail))
            return { commands: [status("disputed")], note: `partner closed the claim: ${change.detail}` };
          if (RETURNED_CLOSINGS.has(change.detail)) {
            return {
              commands: [one({ type: "fail", reasons: [`partner_closed_${change.detail.toLowerCase()}`] })],
              note: null,
            };
          }
          return none(`partner closed the claim (${change.detail}); check the case with the partner`);
      }
  }
}
