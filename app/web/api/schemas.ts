import { z } from "zod";

import { caseReason } from "#app/domain/case/reason";
import { CASE_STATUSES } from "#app/domain/case/status";

/** Query of GET /api/v1/cases. Amounts are integer minor units (cents), like `outstanding.amountMinor`. */
export const apiCaseListQuery = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  minAmount: z.coerce.number().int().nonnegative().optional(),
  maxAmount: z.coerce.number().int().nonnegative().optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(250).default(50),
});

/** Body of POST /api/v1/cases/:id/start and /cancel. */
export const apiActionBody = z.object({ reason: caseReason });

const caseFields = {
  id: z.uuid(),
  status: z.enum(CASE_STATUSES),
  kind: z.enum(["invoice", "chargeback"]),
  order: z.object({ id: z.string().describe("The platform's order id"), name: z.string().describe("e.g. #1001") }),
  customer: z.object({ firstName: z.string().nullable(), lastName: z.string().nullable() }),
  outstanding: z.object({
    amountMinor: z.number().int().describe("Integer minor units (cents)"),
    currency: z.string().length(3).describe("ISO 4217"),
  }),
  dueDate: z.iso.date().describe("Due date in the shop's time zone"),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const caseJsonSchema = z.object(caseFields);

export const caseEventJsonSchema = z.object({
  type: z.string(),
  actor: z.object({ type: z.string(), id: z.string() }),
  reason: z.string().nullable(),
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
});

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});

export const caseListResponse = z.object({ cases: z.array(caseJsonSchema), nextCursor: z.string().nullable() });
export const caseResponse = z.object({ case: caseJsonSchema });
export const caseWithEventsResponse = z.object({
  case: caseJsonSchema.extend({ events: z.array(caseEventJsonSchema) }),
});
