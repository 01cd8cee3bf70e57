import { describe, expect, test } from "vitest";

import type { PartnerChange } from "./collection-partner";
import { type CaseContext, mapPartnerChange, type PartnerCommand, rejectionReasonCode } from "./status-mapping";

const AT = new Date("2026-10-20T00:00:00.000Z");
const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const head = { id: "tx-1", invoiceNumber: "RE-1", claimNumber: "DE-S1", occurredAt: AT };
const ctx = (over: Partial<CaseContext> = {}): CaseContext => ({
  dunningOption: "A",
  handedOver: true,
  outstanding: eur(11_999),
  ...over,
});
const status = (subStatus: string, dunningOption: "A" | "B" = "A") => ({
  type: "partner_status",
  subStatus,
  partnerReference: "DE-S1",
  dunningOption,
});
const closed = (
  outcome: "paid_in_full" | "partial" | "uncollectible" | "recalled" | "other",
  detail: string,
): PartnerChange => ({ ...head, type: "closed", outcome, detail });

const table: [string, PartnerChange, CaseContext, PartnerCommand[]][] = [
  [
    "confirmed claim, not yet handed over → hand_over with the claim number",
    { ...head, type: "confirmed", subject: "claim", claimNumber: "DE-S1" },
    ctx({ handedOver: false }),
    [{ type: "hand_over", partnerReference: "DE-S1" }],
  ],
  [
    "confirmed claim, already handed over → partner_status received with the reference",
    { ...head, type: "confirmed", subject: "claim", claimNumber: "DE-S1" },
    ctx(),
    [status("received")] as PartnerCommand[],
  ],
  [
    "confirmed recall → nothing yet (the closing follows)",
    { ...head, type: "confirmed", subject: "recall", claimNumber: "DE-S1" },
    ctx(),
    [],
  ],
  [
    "confirmed direct payment → nothing (already applied as the shop's payment)",
    { ...head, type: "confirmed", subject: "payment", claimNumber: "DE-S1" },
    ctx(),
    [],
  ],
  [
    "rejected claim → fail with readable reasons",
    {
      ...head,
      type: "rejected",
      subject: "claim",
      reasons: ["AMOUNT_TOO_LOW", "INCORRECT_CURRENCY"],
      description: null,
    },
    ctx({ handedOver: false }),
    [{ type: "fail", reasons: ["partner_amount_too_low", "currency_not_supported"] }],
  ],
  [
    "rejected claim without a reason → fail partner_rejected",
    { ...head, type: "rejected", subject: "claim", reasons: [], description: "x" },
    ctx({ handedOver: false }),
    [{ type: "fail", reasons: ["partner_rejected"] }],
  ],
  [
    "rejected recall → nothing, the claim stays with the partner",
    { ...head, type: "rejected", subject: "recall", reasons: [], description: "already recalled" },
    ctx(),
    [],
  ],
  [
    "sub_status contacted",
    { ...head, type: "sub_status", subStatus: "contacted", detail: "DEBTOR_CONTACTED" },
    ctx(),
    [status("contacted")] as PartnerCommand[],
  ],
  [
    "sub_status payment plan",
    { ...head, type: "sub_status", subStatus: "payment_plan", detail: "PAYMENT_PLAN" },
    ctx(),
    [status("payment_plan")] as PartnerCommand[],
  ],
  [
    "sub_status court procedure keeps the dunning option",
    { ...head, type: "sub_status", subStatus: "court_procedure", detail: "COURT_PROCEDURE" },
    ctx({ dunningOption: "B" }),
    [status("court_procedure", "B")] as PartnerCommand[],
  ],
  [
    "payment received by the partner → payment side partner",
    { ...head, type: "payment", amount: eur(5_000), receivedBy: "partner" },
    ctx(),
    [{ type: "payment", amount: eur(5_000), side: "partner" }],
  ],
  [
    "payment booked for the client → nothing",
    { ...head, type: "payment", amount: eur(5_000), receivedBy: "client" },
    ctx(),
    [],
  ],
  [
    "closing FULL_PAYMENT with money outstanding → payment of the outstanding by the partner",
    closed("paid_in_full", "FULL_PAYMENT"),
    ctx(),
    [{ type: "payment", amount: eur(11_999), side: "partner" }],
  ],
  [
    "closing FULL_PAYMENT after the payments arrived → nothing",
    closed("paid_in_full", "FULL_PAYMENT"),
    ctx({ outstanding: eur(0) }),
    [],
  ],
  [
    "closing RECALLED_BY_CLIENT → confirm_cancellation",
    closed("recalled", "RECALLED_BY_CLIENT"),
    ctx(),
    [{ type: "confirm_cancellation" }],
  ],
  [
    "closing INSOLVENCY → uncollectible",
    closed("uncollectible", "INSOLVENCY"),
    ctx(),
    [status("uncollectible")] as PartnerCommand[],
  ],
  [
    "closing UNKNOWN_ADDRESS → uncollectible",
    closed("uncollectible", "UNKNOWN_ADDRESS"),
    ctx(),
    [status("uncollectible")] as PartnerCommand[],
  ],
  [
    "closing DEBTOR_DECEASED → uncollectible (option B)",
    closed("uncollectible", "DEBTOR_DECEASED"),
    ctx({ dunningOption: "B" }),
    [status("uncollectible", "B")] as PartnerCommand[],
  ],
  [
    "closing PARTIAL_SUCCESS → uncollectible for the rest",
    closed("partial", "PARTIAL_SUCCESS"),
    ctx(),
    [status("uncollectible")] as PartnerCommand[],
  ],
  [
    "closing CLAIM_DISPUTED → disputed",
    closed("other", "CLAIM_DISPUTED"),
    ctx(),
    [status("disputed")] as PartnerCommand[],
  ],
  [
    "closing CLAIM_DISMISSED → disputed",
    closed("other", "CLAIM_DISMISSED"),
    ctx(),
    [status("disputed")] as PartnerCommand[],
  ],
  [
    "closing RETURNED_TO_CLIENT → fail with the closing as reason",
    closed("other", "RETURNED_TO_CLIENT"),
    ctx(),
    [{ type: "fail", reasons: ["partner_closed_returned_to_client"] }],
  ],
  [
    "closing MISSING_DATA → fail",
    closed("other", "MISSING_DATA"),
    ctx(),
    [{ type: "fail", reasons: ["partner_closed_missing_data"] }],
  ],
  ["closing PAYMENT_BEFORE_HANDOVER → nothing, with a note", closed("other", "PAYMENT_BEFORE_HANDOVER"), ctx(), []],
];

describe("mapPartnerChange", () => {
  test.each(table)("%s", (_name, change, context, expected) => {
    const mapped = mapPartnerChange(change, context);
    expect(mapped.commands.map((c) => c.command)).toEqual(expected);
    for (const c of mapped.commands) {
      expect(c.sourceId).toBe("partner:tx-1");
      expect(c.occurredAt).toBe(AT);
    }
    if (expected.length === 0) expect(mapped.note).toEqual(expect.any(String));
  });

  test("a payment with fees says so in the note", () => {
    const mapped = mapPartnerChange(
      { ...head, type: "payment", amount: eur(11_999), fees: eur(300), receivedBy: "partner" },
      ctx(),
    );
    expect(mapped.note).toContain("3.00 EUR");
  });
});

describe("rejectionReasonCode", () => {
  test.each([
    ["AMOUNT_TOO_LOW", "partner_amount_too_low"],
    ["AMOUNT_TOO_HIGH", "partner_amount_too_high"],
    ["CLAIM_NOT_PLAUSIBLE", "partner_claim_not_plausible"],
    ["BREACH_OF_CONTRACT", "partner_breach_of_contract"],
    ["CONTRAVENTION", "partner_contravention"],
    ["INSOLVENCY", "partner_debtor_insolvent"],
    ["INCORRECT_CURRENCY", "currency_not_supported"],
    ["NO_ASSIGNMENT_POSSIBLE", "partner_no_assignment_possible"],
    ["CUSTOMER_INCAPABLE_OF_CONTRACTING", "partner_debtor_incapable_of_contracting"],
    ["CUSTOMER_ABROAD", "partner_debtor_abroad"],
    ["FRAUD_KNOWN", "partner_known_fraud"],
    ["SOMETHING_NEW", "partner_rejected_something_new"],
  ])("%s → %s", (reason, code) => {
    expect(rejectionReasonCode(reason)).toBe(code);
  });
});
