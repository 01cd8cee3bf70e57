import type { Db } from "#app/db/client.server";
import { cancelCase, startCase } from "#app/services/cases/commands.server";
import { caseEventToJson, caseToJson } from "#app/services/cases/json";
import { listCases } from "#app/services/cases/list.server";
import { findCase, listCaseEvents } from "#app/services/cases/read.server";
import { resolveHandover } from "#app/services/collection/handover-resolution.server";
import { importStatement, listBankCredits, MAX_STATEMENT_BYTES } from "#app/services/payments/statement-import.server";
import { recordAccess } from "#app/services/privacy/access-log.server";
import { apiError, readJson, zodDetails } from "#app/utils/api-response.server";

import { requireApiCaller } from "./auth.server";
import { apiActionBody, apiCaseListQuery, apiHandoverBody, apiPaymentListQuery } from "./schemas";

/**
 * /api/v1: the same services as the CLI, behind a bearer token of one shop. Routes are one line each and
 * call these, so tests exercise exactly what the HTTP layer runs.
 */
export async function apiListCases(db: Db, request: Request): Promise<Response> {
  const caller = await requireApiCaller(db, request, { write: false });
  const parsed = apiCaseListQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return apiError("invalid_request", "Invalid query parameters.", zodDetails(parsed.error));
  const page = await caller.tenant((tx) =>
    listCases(tx, caller.shop.id, { ...parsed.data, sort: "created", direction: "desc" }),
  );
  return Response.json({ cases: page.cases.map(caseToJson), nextCursor: page.nextCursor });
}

export async function apiShowCase(db: Db, request: Request, caseId: string): Promise<Response> {
  const caller = await requireApiCaller(db, request, { write: false });
  const found = await caller.tenant(async (tx) => {
    const row = await findCase(tx, caller.shop.id, caseId);
    if (!row) return null;
    await recordAccess(tx, {
      shopId: caller.shop.id,
      actor: { channel: "api", id: caller.token.id, name: caller.token.name },
      what: "case",
      caseId: row.id,
    });
    return { row, events: await listCaseEvents(tx, caller.shop.id, row.id) };
  });
  if (!found) return apiError("not_found", "No such case.");
  const { row, events } = found;
  return Response.json({ case: { ...caseToJson(row), events: events.map(caseEventToJson) } });
}

export async function apiCaseAction(
  db: Db,
  request: Request,
  caseId: string,
  action: "start" | "cancel",
): Promise<Response> {
  if (request.method !== "POST")
    return apiError("invalid_request", "Use POST.", null, { status: 405, headers: { Allow: "POST" } });
  const caller = await requireApiCaller(db, request, { write: true });
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = apiActionBody.safeParse(body.value);
  if (!parsed.success)
    return apiError("invalid_request", "Invalid request body.", zodDetails(parsed.error), { status: 422 });
  const input = { shopId: caller.shop.id, caseId, actor: caller.actor, reason: parsed.data.reason, now: new Date() };
  const result = await caller.tenant((tx) => (action === "start" ? startCase(tx, input) : cancelCase(tx, input)));
  if (!result.ok) {
    if (result.error.code === "not_found") return apiError("not_found", "No such case.");
    return apiError("conflict", result.error.message, result.error.details ?? null);
  }
  return Response.json({ case: caseToJson(result.case) });
}

/** POST /api/v1/cases/{id}/handover: a person's decision on a handover whose answer never came. */
export async function apiResolveHandover(db: Db, request: Request, caseId: string): Promise<Response> {
  if (request.method !== "POST")
    return apiError("invalid_request", "Use POST.", null, { status: 405, headers: { Allow: "POST" } });
  const caller = await requireApiCaller(db, request, { write: true });
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = apiHandoverBody.safeParse(body.value);
  if (!parsed.success)
    return apiError("invalid_request", "Invalid request body.", zodDetails(parsed.error), { status: 422 });
  const { reason, claimNumber } = parsed.data;
  const result = await caller.tenant((tx) =>
    resolveHandover(tx, {
      shopId: caller.shop.id,
      caseId,
      resolution: claimNumber === undefined ? { kind: "resend" } : { kind: "claim_number", claimNumber },
      actor: caller.actor,
      reason,
      now: new Date(),
    }),
  );
  if (!result.ok) {
    if (result.error.code === "not_found") return apiError("not_found", "No such case.");
    if (result.error.code === "invalid_claim_number")
      return apiError("invalid_request", result.error.message, null, { status: 422 });
    return apiError("conflict", result.error.message, null);
  }
  return Response.json({ case: caseToJson(result.case) });
}

/**
 * POST /api/v1/payments/import: a bank statement (camt.053/054 XML or MT940) as the request body, at most 20 MB;
 * `?name=` names the file in the import list. Matched credits are booked, the rest wait for review.
 */
export async function apiImportPayments(db: Db, request: Request): Promise<Response> {
  if (request.method !== "POST")
    return apiError("invalid_request", "Use POST.", null, { status: 405, headers: { Allow: "POST" } });
  const caller = await requireApiCaller(db, request, { write: true });
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_STATEMENT_BYTES)
    return apiError("invalid_request", "The statement is larger than 20 MB.", null, { status: 413 });
  const name = new URL(request.url).searchParams.get("name")?.slice(0, 200) ?? null;
  const result = await caller.tenant((tx) =>
    importStatement(tx, caller.shop, { bytes, name }, { actor: caller.actor, now: new Date() }),
  );
  if (!result.ok) return apiError("invalid_request", result.error.message, null, { status: 422 });
  const { importId, format, credits, added, matched, review, known } = result;
  return Response.json({ import: { id: importId, format, credits, added, matched, review, known } });
}

/** GET /api/v1/payments: the newest 250 credits from imported statements, optionally of one status. */
export async function apiListPayments(db: Db, request: Request): Promise<Response> {
  const caller = await requireApiCaller(db, request, { write: false });
  const parsed = apiPaymentListQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return apiError("invalid_request", "Invalid query parameters.", zodDetails(parsed.error));
  const payments = await caller.tenant((tx) => listBankCredits(tx, caller.shop.id, parsed.data));
  return Response.json({ payments });
}

/** Thrown Responses (401/403/429 from requireApiCaller) are returned as they are. */
export async function respond(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}
