import type { LocalDate } from "../dates";
import type { DebtorKind } from "../dunning/debtor";
import type { Money } from "../money";
import type { Case } from "./case";
import type { CaseKind, CaseStatus, DunningLevel, PartnerSubStatus, ResumableStatus } from "./status";

/**
 * How a payment to the shop arrived: online through the platform's payment page (the reminder's pay-now link), or
 * recorded by the shop itself (a bank transfer, or anything else it marks as paid). Payments to the partner have none.
 */
export type PaymentChannel = "link" | "transfer";

/** The bank entry behind a payment matched from a statement (app/domain/payments/matching.ts). */
export type BankMatch = { entryId: string; bookingDate: LocalDate; reasons: string[] };

export type ActorType = "staff" | "support" | "platform" | "scheduler" | "partner" | "system";
/** name: a staff member's display name when the platform told us (kept beside the stable id for the timeline). */
export type Actor = { type: ActorType; id: string; name?: string | null };

type Base = { actor: Actor; reason: string | null; occurredAt: Date; sourceId: string | null };

/** Every change to a case is one of these, appended and never rewritten. */
export type CaseEvent = Base &
  (
    | {
        type: "case_opened";
        data: {
          caseId: string;
          shopId: string;
          orderId: string;
          kind: CaseKind;
          original: Money;
          outstanding: Money;
          dueDate: LocalDate;
        };
      }
    | { type: "case_started"; data: { automatic: boolean; nextActionAt: Date | null } }
    | { type: "case_closed"; data: Record<string, never> }
    | { type: "case_cancelled"; data: Record<string, never> }
    | { type: "cancellation_requested"; data: Record<string, never> }
    | { type: "case_blocked"; data: { reasons: string[]; resumeStatus: ResumableStatus; stream: string | null } }
    | {
        type: "case_unblocked";
        data: { reasons: string[]; resumeStatus: ResumableStatus | null; stream: string | null };
      }
    | { type: "case_failed"; data: { reasons: string[] } }
    | { type: "case_retried"; data: Record<string, never> }
    | {
        type: "dunning_level_reached";
        /** paymentDeadline and fee are absent on events written before deadlines were recorded. */
        data: {
          level: DunningLevel;
          nextActionAt: Date | null;
          paymentDeadline?: LocalDate | null;
          fee?: Money | null;
        };
      }
    | { type: "handed_over"; data: { partnerReference: string | null } }
    | {
        type: "partner_status_changed";
        data: { subStatus: PartnerSubStatus; partnerReference: string | null; stream: string };
      }
    | {
        type: "payment_received";
        data: {
          amount: Money;
          side: "shop" | "partner";
          outstanding: Money;
          overpayment: Money | null;
          /** Shop payments since the pay-now link; older events have none (counted as transfers). */
          channel?: PaymentChannel;
          /** A credit on the shop's bank statement matched to this case: which entry, and why it matched. */
          bank?: BankMatch;
        };
      }
    | {
        type: "outstanding_adjusted";
        data: { outstanding: Money; cause: "refund" | "order_edit"; stream: string | null };
      }
    | { type: "fact_stale_ignored"; data: { fact: string; stream: string; newest: string } }
    | { type: "debtor_classified"; data: { kind: DebtorKind } }
    | { type: "handover_withdrawn"; data: Record<string, never> }
  );

export type CaseEventType = CaseEvent["type"];

const unique = (list: string[]) => [...new Set(list)];

function remember(state: Case, event: CaseEvent): Case {
  if (!event.sourceId || state.appliedSourceIds.includes(event.sourceId)) return state;
  return { ...state, appliedSourceIds: [...state.appliedSourceIds, event.sourceId] };
}

function tick(state: Case, stream: string | null, at: Date): Case {
  if (!stream) return state;
  const current = state.factClock[stream];
  if (current && current >= at.toISOString()) return state;
  return { ...state, factClock: { ...state.factClock, [stream]: at.toISOString() } };
}

const withStatus = (state: Case, status: CaseStatus, at: Date): Case => ({
  ...state,
  status,
  nextActionAt: status === "running" ? state.nextActionAt : null,
  closedAt: status === "paid" || status === "cancelled" || status === "closed" ? at : state.closedAt,
});

/** The projection: folding a case's events from null gives its current state. */
export function applyEvent(state: Case | null, event: CaseEvent): Case {
  if (event.type === "case_opened") {
    if (state) throw new Error("case_opened on an existing case");
    const d = event.data;
    return remember(
      {
        id: d.caseId,
        shopId: d.shopId,
        orderId: d.orderId,
        kind: d.kind,
        status: "waiting_for_approval",
        original: d.original,
        outstanding: d.outstanding,
        overpayment: null,
        dueDate: d.dueDate,
        dunningLevel: null,
        nextActionAt: null,
        partnerReference: null,
        partnerSubStatus: null,
        resumeStatus: null,
        blockReasons: [],
        failureReasons: [],
        cancellationRequested: false,
        openedAt: event.occurredAt,
        startedAt: null,
        handedOverAt: null,
        closedAt: null,
        factClock: {},
        appliedSourceIds: [],
      },
      event,
    );
  }
  if (!state) throw new Error(`${event.type} before case_opened`);
  const s = remember(state, event);
  switch (event.type) {
    case "case_started":
      return {
        ...s,
        status: "running",
        startedAt: event.occurredAt,
        failureReasons: [],
        nextActionAt: event.data.nextActionAt,
      };
    case "case_closed":
      return withStatus(s, "closed", event.occurredAt);
    case "case_cancelled":
      return { ...withStatus(s, "cancelled", event.occurredAt), resumeStatus: null, blockReasons: [] };
    case "cancellation_requested":
      return { ...s, cancellationRequested: true };
    case "case_blocked":
      return tick(
        {
          ...s,
          status: "blocked",
          nextActionAt: s.status === "running" ? s.nextActionAt : null,
          resumeStatus: event.data.resumeStatus,
          blockReasons: unique([...s.blockReasons, ...event.data.reasons]),
        },
        event.data.stream,
        event.occurredAt,
      );
    case "case_unblocked": {
      const remaining = s.blockReasons.filter((r) => !event.data.reasons.includes(r));
      const next =
        remaining.length > 0 || !event.data.resumeStatus
          ? { ...s, blockReasons: remaining }
          : { ...s, status: event.data.resumeStatus, resumeStatus: null, blockReasons: [] };
      return tick(next, event.data.stream, event.occurredAt);
    }
    case "case_failed":
      return {
        ...withStatus(s, "failed", event.occurredAt),
        failureReasons: event.data.reasons,
        resumeStatus: null,
        blockReasons: [],
      };
    case "case_retried":
      return { ...s, status: "waiting_for_approval", failureReasons: [] };
    case "dunning_level_reached": {
      const deadline = event.data.paymentDeadline ?? null;
      return {
        ...s,
        dunningLevel: event.data.level,
        nextActionAt: event.data.nextActionAt,
        paymentDeadline: deadline,
        firstDeadline: event.data.level === "reminder_1" ? deadline : (s.firstDeadline ?? null),
      };
    }
    case "handed_over":
      return {
        ...s,
        status: "handed_over",
        handedOverAt: event.occurredAt,
        nextActionAt: null,
        partnerReference: event.data.partnerReference ?? s.partnerReference,
        partnerSubStatus: "received",
      };
    case "partner_status_changed":
      return tick(
        {
          ...s,
          partnerSubStatus: event.data.subStatus,
          partnerReference: event.data.partnerReference ?? s.partnerReference,
        },
        event.data.stream,
        event.occurredAt,
      );
    case "payment_received": {
      const next = { ...s, outstanding: event.data.outstanding, overpayment: event.data.overpayment };
      // Money received after a case is paid stays paid and shows as overpayment (to be refunded by the shop).
      if (s.status === "paid" || event.data.outstanding.amountMinor > 0) return next;
      return { ...withStatus(next, "paid", event.occurredAt), resumeStatus: null, blockReasons: [] };
    }
    case "outstanding_adjusted":
      return tick({ ...s, outstanding: event.data.outstanding }, event.data.stream, event.occurredAt);
    case "fact_stale_ignored":
      return s;
    case "debtor_classified":
      return { ...s, debtorKind: event.data.kind };
    case "handover_withdrawn":
      // handedOverAt stays: a claim is handed over at most once, so a withdrawn handover is not repeated.
      return { ...s, status: "running", nextActionAt: null, partnerSubStatus: null };
  }
}

export function replay(events: CaseEvent[]): Case | null {
  return events.reduce<Case | null>((state, event) => applyEvent(state, event), null);
}
