import type { LocalDate } from "../dates";
import type { DebtorKind } from "../dunning/debtor";
import type { Money } from "../money";
import { err, ok, type Result } from "../result";
import type { Case } from "./case";
import { type Debtor, preStartCheck } from "./checks";
import { type Actor, applyEvent, type BankMatch, type CaseEvent, type PaymentChannel } from "./events";
import { type CaseStatus, type DunningLevel, isTerminal, type PartnerSubStatus, type ResumableStatus } from "./status";

/** What someone or something asks of a case. Facts from outside carry a sourceId (idempotence). */
export type CaseCommand =
  | {
      type: "start";
      automatic: boolean;
      debtor: Debtor;
      supportedCurrencies: readonly string[];
      firstActionAt: Date | null;
    }
  | { type: "close" }
  | { type: "cancel" }
  | { type: "confirm_cancellation" }
  | { type: "block"; reasons: string[]; stream?: string }
  | { type: "unblock"; reasons: string[]; stream?: string }
  | { type: "fail"; reasons: string[] }
  | { type: "retry" }
  /** paymentDeadline: the last day to pay the reminder prints; fee: what this reminder charges (none before default). */
  | {
      type: "reach_level";
      level: DunningLevel;
      nextActionAt: Date | null;
      paymentDeadline?: LocalDate | null;
      fee?: Money | null;
    }
  | { type: "hand_over"; partnerReference: string | null }
  | { type: "partner_status"; subStatus: PartnerSubStatus; partnerReference: string | null; dunningOption: "A" | "B" }
  | { type: "payment"; amount: Money; side: "shop" | "partner"; channel?: PaymentChannel; bank?: BankMatch }
  | { type: "adjust_outstanding"; outstanding: Money; cause: "refund" | "order_edit" }
  | { type: "order_cancelled" }
  /** Staff decide consumer or business; until the claim is handed over (it then carries the classification). */
  | { type: "classify_debtor"; kind: DebtorKind }
  /** The platform, read again right before the claim went out, says nothing is owed: the claim is not sent. */
  | { type: "withdraw_handover" };

export type CommandType = CaseCommand["type"];

export type CommandEnvelope = {
  command: CaseCommand;
  actor: Actor;
  reason: string | null;
  /** When it happened: now for people and the scheduler, the platform's or partner's time for facts. */
  occurredAt: Date;
  sourceId?: string | null;
};

export type Refusal = {
  code:
    | "transition_not_allowed"
    | "already_handed_over"
    | "cancellation_already_requested"
    | "no_cancellation_requested"
    | "level_out_of_order"
    | "invalid_amount";
  from: CaseStatus;
  command: CommandType;
  message: string;
};

/**
 * The transition table: from which statuses each command is accepted. Anything not listed is refused.
 * A blocked case accepts what its resume status would accept only where listed here (docs/case-lifecycle.md).
 */
export const TRANSITIONS: Record<CommandType, readonly CaseStatus[]> = {
  start: ["waiting_for_approval"],
  close: ["waiting_for_approval", "failed"],
  cancel: ["waiting_for_approval", "running", "blocked", "failed", "handed_over"],
  confirm_cancellation: ["handed_over", "blocked"],
  block: ["waiting_for_approval", "running", "handed_over", "blocked"],
  unblock: ["blocked"],
  fail: ["waiting_for_approval", "running", "blocked", "handed_over"],
  retry: ["failed"],
  reach_level: ["running"],
  hand_over: ["running"],
  partner_status: ["handed_over", "blocked"],
  payment: ["waiting_for_approval", "running", "handed_over", "blocked", "failed", "paid"],
  adjust_outstanding: ["waiting_for_approval", "running", "handed_over", "blocked", "failed"],
  order_cancelled: ["waiting_for_approval", "running", "handed_over", "blocked", "failed"],
  classify_debtor: ["waiting_for_approval", "running", "blocked", "failed"],
  withdraw_handover: ["handed_over"],
};

export const COMMAND_TYPES = Object.keys(TRANSITIONS) as CommandType[];

/** Staff and support may use these; the rest are facts from platforms, partners and the scheduler. */
export function allowedManualActions(state: Case): ("start" | "cancel")[] {
  const actions: ("start" | "cancel")[] = [];
  if (TRANSITIONS.start.includes(state.status)) actions.push("start");
  if (TRANSITIONS.cancel.includes(state.status) && !state.cancellationRequested) actions.push("cancel");
  return actions;
}

/** Whether the partner holds the claim: handed over, also while blocked on its way back to handed over. */
export function holdsClaim(state: Pick<Case, "status" | "resumeStatus">): boolean {
  return state.status === "handed_over" || (state.status === "blocked" && state.resumeStatus === "handed_over");
}

/** Whether staff may (re)classify the debtor: not once the partner holds the claim. */
export function canClassifyDebtor(state: Case): boolean {
  return TRANSITIONS.classify_debtor.includes(state.status) && !holdsClaim(state);
}

/** Which stream of facts a command belongs to: within a stream an older fact never overwrites a newer one. */
function streamOf(envelope: CommandEnvelope): string | null {
  const c = envelope.command;
  if (c.type === "adjust_outstanding" && c.cause === "order_edit") return "order";
  if (c.type === "partner_status") return "partner";
  if ((c.type === "block" || c.type === "unblock") && c.stream) return c.stream;
  return null;
}

/**
 * The heart of Mahnwerk: given a case and a command, the events to append — or a typed refusal. Pure: time is
 * the envelope's, nothing is read from outside.
 */
export function decide(state: Case, envelope: CommandEnvelope): Result<CaseEvent[], Refusal> {
  const { command, sourceId } = envelope;
  const base = {
    actor: envelope.actor,
    reason: envelope.reason,
    occurredAt: envelope.occurredAt,
    sourceId: sourceId ?? null,
  };
  const refuse = (code: Refusal["code"], message: string) =>
    err<Refusal>({ code, from: state.status, command: command.type, message });

  // The same external fact twice: nothing new.
  if (sourceId && state.appliedSourceIds.includes(sourceId)) return ok([]);

  const stream = streamOf(envelope);
  if (stream) {
    const newest = state.factClock[stream];
    if (newest && envelope.occurredAt.toISOString() < newest) {
      return ok([{ ...base, type: "fact_stale_ignored", data: { fact: command.type, stream, newest } }]);
    }
  }

  // A decision that arrives before the fact it decides (a dispute won before its opening was delivered; webhooks
  // come in any order): nothing to lift, but it is recorded on its stream, so the late opening is stale instead of
  // blocking the case for good.
  if (
    command.type === "unblock" &&
    command.stream &&
    !isTerminal(state.status) &&
    !command.reasons.some((r) => state.blockReasons.includes(r))
  ) {
    return ok([{ ...base, type: "case_unblocked", data: { reasons: [], resumeStatus: null, stream: command.stream } }]);
  }

  if (!TRANSITIONS[command.type].includes(state.status)) {
    return refuse(
      "transition_not_allowed",
      `Cannot ${command.type.replace(/_/g, " ")} a case that is ${state.status.replace(/_/g, " ")}${isTerminal(state.status) ? " (final)" : ""}.`,
    );
  }
  const partnerHoldsClaim = holdsClaim(state);

  switch (command.type) {
    case "start": {
      const missing = preStartCheck(command.debtor, state.outstanding, command.supportedCurrencies);
      if (missing.length > 0) return ok([{ ...base, type: "case_failed", data: { reasons: missing } }]);
      return ok([
        { ...base, type: "case_started", data: { automatic: command.automatic, nextActionAt: command.firstActionAt } },
      ]);
    }
    case "close":
      return ok([{ ...base, type: "case_closed", data: {} }]);
    case "cancel":
    case "order_cancelled": {
      if (partnerHoldsClaim) {
        if (state.cancellationRequested)
          return refuse("cancellation_already_requested", "Cancellation has already been requested from the partner.");
        return ok([{ ...base, type: "cancellation_requested", data: {} }]);
      }
      if (state.status === "waiting_for_approval") return ok([{ ...base, type: "case_closed", data: {} }]);
      return ok([{ ...base, type: "case_cancelled", data: {} }]);
    }
    case "confirm_cancellation":
      if (!state.cancellationRequested)
        return refuse("no_cancellation_requested", "No cancellation was requested for this case.");
      return ok([{ ...base, type: "case_cancelled", data: {} }]);
    case "block": {
      const reasons = command.reasons.filter((r) => !state.blockReasons.includes(r));
      if (reasons.length === 0) return ok([]);
      const resumeStatus = (state.status === "blocked" ? state.resumeStatus : state.status) as ResumableStatus;
      return ok([{ ...base, type: "case_blocked", data: { reasons, resumeStatus, stream: command.stream ?? null } }]);
    }
    case "unblock": {
      const reasons = command.reasons.filter((r) => state.blockReasons.includes(r));
      if (reasons.length === 0) return ok([]);
      return ok([
        {
          ...base,
          type: "case_unblocked",
          data: { reasons, resumeStatus: state.resumeStatus, stream: command.stream ?? null },
        },
      ]);
    }
    case "fail":
      return ok([{ ...base, type: "case_failed", data: { reasons: command.reasons } }]);
    case "retry":
      return ok([{ ...base, type: "case_retried", data: {} }]);
    case "reach_level": {
      const order: (DunningLevel | null)[] = [null, "reminder_1", "reminder_2", "final_reminder"];
      if (order.indexOf(command.level) !== order.indexOf(state.dunningLevel) + 1) {
        return refuse(
          "level_out_of_order",
          `Level ${command.level} cannot follow ${state.dunningLevel ?? "no reminder"}.`,
        );
      }
      return ok([
        {
          ...base,
          type: "dunning_level_reached",
          data: {
            level: command.level,
            nextActionAt: command.nextActionAt,
            paymentDeadline: command.paymentDeadline ?? null,
            fee: command.fee ?? null,
          },
        },
      ]);
    }
    case "hand_over":
      if (state.handedOverAt) return refuse("already_handed_over", "This claim was already handed over.");
      return ok([{ ...base, type: "handed_over", data: { partnerReference: command.partnerReference } }]);
    case "partner_status": {
      if (!partnerHoldsClaim) return refuse("transition_not_allowed", "The partner does not hold this claim.");
      const changed = {
        ...base,
        type: "partner_status_changed" as const,
        data: { subStatus: command.subStatus, partnerReference: command.partnerReference, stream: "partner" },
      };
      if (command.subStatus !== "uncollectible") return ok([changed]);
      // Option A: pre-court collection failed → the claim ends (the shop cancels the order);
      // option B: even the court procedure did not recover it → failed, with the reason shown.
      return ok(
        command.dunningOption === "A"
          ? [changed, { ...base, type: "case_cancelled", data: {} }]
          : [changed, { ...base, type: "case_failed", data: { reasons: ["partner_uncollectible"] } }],
      );
    }
    case "payment": {
      if (command.amount.currency !== state.outstanding.currency || command.amount.amountMinor <= 0) {
        return refuse("invalid_amount", `A payment must be a positive amount in ${state.outstanding.currency}.`);
      }
      const remaining = state.outstanding.amountMinor - command.amount.amountMinor;
      const extra =
        remaining < 0 ? -remaining + (state.overpayment?.amountMinor ?? 0) : (state.overpayment?.amountMinor ?? 0);
      return ok([
        {
          ...base,
          type: "payment_received",
          data: {
            amount: command.amount,
            side: command.side,
            outstanding: { amountMinor: Math.max(0, remaining), currency: state.outstanding.currency },
            overpayment: extra > 0 ? { amountMinor: extra, currency: state.outstanding.currency } : null,
            ...(command.channel ? { channel: command.channel } : {}),
            ...(command.bank ? { bank: command.bank } : {}),
          },
        },
      ]);
    }
    case "adjust_outstanding": {
      if (command.outstanding.currency !== state.outstanding.currency || command.outstanding.amountMinor < 0) {
        return refuse("invalid_amount", `Outstanding must be zero or more in ${state.outstanding.currency}.`);
      }
      const adjusted: CaseEvent = {
        ...base,
        type: "outstanding_adjusted",
        data: { outstanding: command.outstanding, cause: command.cause, stream },
      };
      // Even an unchanged amount is recorded: it moves the stream's clock, so an older fact that arrives later is stale.
      if (command.outstanding.amountMinor === state.outstanding.amountMinor) return ok([adjusted]);
      if (command.outstanding.amountMinor > 0) return ok([adjusted]);
      // Nothing is owed any more (full refund or the order edited to zero).
      if (partnerHoldsClaim)
        return ok(
          state.cancellationRequested ? [adjusted] : [adjusted, { ...base, type: "cancellation_requested", data: {} }],
        );
      if (state.status === "waiting_for_approval") return ok([adjusted, { ...base, type: "case_closed", data: {} }]);
      return ok([adjusted, { ...base, type: "case_cancelled", data: {} }]);
    }
    case "withdraw_handover":
      if (state.partnerReference)
        return refuse("transition_not_allowed", "The partner already holds this claim; recall it instead.");
      return ok([{ ...base, type: "handover_withdrawn", data: {} }]);
    case "classify_debtor":
      if (partnerHoldsClaim)
        return refuse(
          "already_handed_over",
          "The claim is with the partner; its debtor can no longer be reclassified here.",
        );
      if ((state.debtorKind ?? null) === command.kind) return ok([]);
      return ok([{ ...base, type: "debtor_classified", data: { kind: command.kind } }]);
  }
}

/** decide, then apply: the new state with the events that lead to it. */
export function execute(state: Case, envelope: CommandEnvelope): Result<{ state: Case; events: CaseEvent[] }, Refusal> {
  const decided = decide(state, envelope);
  if (!decided.ok) return decided;
  return ok({ state: decided.value.reduce<Case>((s, e) => applyEvent(s, e), state), events: decided.value });
}
