/** Case statuses, ids exactly as in docs/product.md. Labels live in app/i18n. */
export const CASE_STATUSES = [
  "waiting_for_approval",
  "running",
  "handed_over",
  "blocked",
  "paid",
  "failed",
  "cancelled",
  "closed",
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly CaseStatus[] = ["paid", "cancelled", "closed"];
export const isTerminal = (status: CaseStatus) => TERMINAL_STATUSES.includes(status);

/** Statuses a block can return to. */
export type ResumableStatus = "waiting_for_approval" | "running" | "handed_over";

export const CASE_KINDS = ["invoice", "chargeback"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** What the partner says about a claim it holds. */
export const PARTNER_SUB_STATUSES = [
  "received",
  "contacted",
  "payment_plan",
  "disputed",
  "court_procedure",
  "uncollectible",
] as const;
export type PartnerSubStatus = (typeof PARTNER_SUB_STATUSES)[number];

export const DUNNING_LEVELS = ["reminder_1", "reminder_2", "final_reminder"] as const;
export type DunningLevel = (typeof DUNNING_LEVELS)[number];
