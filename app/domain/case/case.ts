import type { LocalDate } from "../dates";
import type { DebtorKind } from "../dunning/debtor";
import type { Money } from "../money";
import type { CaseKind, CaseStatus, DunningLevel, PartnerSubStatus, ResumableStatus } from "./status";

/**
 * A case as a plain value: the projection of its events (applyEvent in events.ts). Nothing here is stored that
 * an event did not say.
 */
export type Case = {
  id: string;
  shopId: string;
  orderId: string;
  kind: CaseKind;
  status: CaseStatus;
  original: Money;
  outstanding: Money;
  /** Money received beyond what was owed; outstanding never goes below zero. */
  overpayment: Money | null;
  dueDate: LocalDate;
  dunningLevel: DunningLevel | null;
  /** When the scheduler should act next (reminder or handover); null when nothing is scheduled. */
  nextActionAt: Date | null;
  /** The last day to pay printed in the current reminder (§ 193 BGB applied); null before one, or on old cases. */
  paymentDeadline?: LocalDate | null;
  /** The first reminder's deadline: its expiry puts the debtor in default (app/domain/dunning/default.ts). */
  firstDeadline?: LocalDate | null;
  /** Staff's classification of the debtor (debtor_classified); null or absent: the order's signals decide. */
  debtorKind?: DebtorKind | null;
  partnerReference: string | null;
  partnerSubStatus: PartnerSubStatus | null;
  /** While blocked: the status to return to. */
  resumeStatus: ResumableStatus | null;
  blockReasons: string[];
  failureReasons: string[];
  cancellationRequested: boolean;
  openedAt: Date;
  startedAt: Date | null;
  handedOverAt: Date | null;
  closedAt: Date | null;
  /** Newest occurredAt applied per fact stream ("order", "dispute:<id>", "partner"): older facts are stale. */
  factClock: Record<string, string>;
  /** External facts already applied (idempotence). */
  appliedSourceIds: string[];
};
