import type { LocalDate } from "../dates";
import type { Money } from "../money";
import type { Actor, CaseEvent } from "./events";
import type { CaseKind } from "./status";

/** The first event of every case: an invoice order became overdue, or a chargeback arrived. */
export function openCase(input: {
  caseId: string;
  shopId: string;
  orderId: string;
  kind: CaseKind;
  original: Money;
  outstanding: Money;
  dueDate: LocalDate;
  actor: Actor;
  occurredAt: Date;
  sourceId: string | null;
}): CaseEvent {
  return {
    type: "case_opened",
    actor: input.actor,
    reason: null,
    occurredAt: input.occurredAt,
    sourceId: input.sourceId,
    data: {
      caseId: input.caseId,
      shopId: input.shopId,
      orderId: input.orderId,
      kind: input.kind,
      original: input.original,
      outstanding: input.outstanding,
      dueDate: input.dueDate,
    },
  };
}
