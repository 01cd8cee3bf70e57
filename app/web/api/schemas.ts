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

/** Resolving a handover whose answer never came: the partner's claim number as its portal shows it, or a resend. */
export const apiHandoverBody = z
  .object({
    reason: caseReason,
    claimNumber: z.string().trim().min(1).max(40).optional().describe("The claim number the partner's portal shows"),
    resend: z.literal(true).optional().describe("The partner has no such claim: send it again"),
  })
  .refine((b) => (b.claimNumber === undefined) !== (b.resend === undefined), {
    message: "give either claimNumber or resend: true",
    path: ["claimNumber"],
  });

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
  partnerReference: z.string().nullable().describe("The collection partner's claim number, once known"),
  blockReasons: z
    .array(z.string())
    .describe(
      'Why a blocked case waits; "handover_unknown": the partner may hold the claim, resolve it with /handover',
    ),
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

export const apiPaymentListQuery = z.object({
  status: z.enum(["matched", "review", "assigned", "dismissed"]).optional(),
});

export const statementImportResponse = z.object({
  import: z.object({
    id: z.uuid(),
    format: z.enum(["camt.053", "camt.054", "mt940"]),
    credits: z.number().int().describe("Credits in the file"),
    added: z.number().int().describe("New credits (not in an earlier import)"),
    matched: z.number().int().describe("New credits booked on a case automatically"),
    review: z.number().int().describe("New credits waiting for a person in the tab's Payments page"),
    known: z.number().int().describe("Credits imported before: nothing was done with them again"),
  }),
});

export const paymentListResponse = z.object({
  payments: z.array(
    z.object({
      id: z.uuid(),
      bookingDate: z.string(),
      amount: z.object({ amountMinor: z.number().int(), currency: z.string() }),
      payerName: z.string().nullable(),
      payerIban: z.string().nullable(),
      remittance: z.string(),
      status: z.enum(["matched", "review", "assigned", "dismissed"]),
      cases: z.array(z.uuid()).describe("Cases it was booked on, or (review) the candidates"),
      orders: z
        .array(z.uuid())
        .describe("Their orders; an invoice order paid before it had a case is booked on the order alone"),
      decision: z.unknown().describe("Allocations and reasons, or the candidates with their reasons"),
    }),
  ),
});
