import type { CaseEventRow } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import type { CaseEvent } from "#app/domain/case/events";

/**
 * Cases and events as JSON in the database. Dates become ISO strings and are revived by name: only the fields
 * listed here are dates, so a customer's text can never be mistaken for one.
 */
const CASE_DATES = ["nextActionAt", "openedAt", "startedAt", "handedOverAt", "closedAt"] as const;

export function caseToJson(state: Case): Record<string, unknown> {
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}

export function caseFromJson(json: unknown): Case {
  const raw = json as Record<string, unknown>;
  const state = { ...raw } as Record<string, unknown>;
  for (const key of CASE_DATES) state[key] = raw[key] ? new Date(String(raw[key])) : null;
  return state as unknown as Case;
}

export function eventData(event: CaseEvent): Record<string, unknown> {
  return JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>;
}

export function eventFromRow(row: CaseEventRow): CaseEvent {
  const data = { ...(row.data as Record<string, unknown>) };
  if ((row.type === "case_started" || row.type === "dunning_level_reached") && data.nextActionAt) {
    data.nextActionAt = new Date(String(data.nextActionAt));
  }
  return {
    type: row.type,
    actor: { type: row.actorType, id: row.actorId },
    reason: row.reason,
    occurredAt: row.occurredAt,
    sourceId: row.sourceId,
    data,
  } as CaseEvent;
}
