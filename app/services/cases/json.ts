import type { CaseEventRow, CaseRow } from "#app/db/schema";

import { caseFromJson } from "./serialization";

/**
 * The public JSON shape of a case (API v1 and `mahnwerk cases … --json`). A contract: extend, never rename.
 */
export type CaseJson = {
  id: string;
  status: string;
  kind: string;
  order: { id: string; name: string };
  customer: { firstName: string | null; lastName: string | null };
  outstanding: { amountMinor: number; currency: string };
  dueDate: string;
  createdAt: string;
  updatedAt: string;
  /** The collection partner's claim number once it is known (mediaFinanz: the 11-digit file number). */
  partnerReference: string | null;
  /** Why a blocked case waits, e.g. "handover_unknown": the partner may hold it, a person decides. */
  blockReasons: string[];
};

export type CaseEventJson = {
  type: string;
  actor: { type: string; id: string };
  reason: string | null;
  occurredAt: string;
  data: unknown;
};

export function caseToJson(row: CaseRow): CaseJson {
  return {
    id: row.id,
    status: row.status,
    kind: row.kind,
    order: { id: row.platformOrderId, name: row.orderName },
    customer: { firstName: row.customerFirstName, lastName: row.customerLastName },
    outstanding: { amountMinor: row.outstandingMinor, currency: row.currency },
    dueDate: row.dueDate,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    partnerReference: row.partnerReference,
    blockReasons: caseFromJson(row.state).blockReasons,
  };
}

export function caseEventToJson(row: CaseEventRow): CaseEventJson {
  return {
    type: row.type,
    actor: { type: row.actorType, id: row.actorId },
    reason: row.reason,
    occurredAt: row.occurredAt.toISOString(),
    data: row.data,
  };
}
