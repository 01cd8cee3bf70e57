import { z } from "zod";

/** Every API error has one shape: {"error":{"code","message","details"}}. */
export type ApiErrorCode =
  "unauthorized" | "forbidden" | "not_found" | "conflict" | "invalid_request" | "rate_limited" | "internal";

const STATUS: Record<ApiErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_request: 400,
  rate_limited: 429,
  internal: 500,
};

export function apiError(
  code: ApiErrorCode,
  message: string,
  details: unknown = null,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(
    { error: { code, message, details } },
    { status: init.status ?? STATUS[code], headers: { "Cache-Control": "no-store", ...init.headers } },
  );
}

export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

/** Reads a JSON body; a body that is not JSON is a 400 with a clear message, never a 500. */
export async function readJson(
  request: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await request.text();
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: apiError("invalid_request", "The request body is not valid JSON.") };
  }
}
