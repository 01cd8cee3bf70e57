/*
 * Request-body limits per route, checked on the headers before anything is read (ASVS V13: bounded input). Node's
 * HTTP parser never delivers more than a declared Content-Length, so a declared length within the limit bounds the
 * body; a body without one (chunked) is refused, as no form or API client here sends one. Webhooks have their own
 * cap (app/services/intake/inbox.server.ts MAX_WEBHOOK_BODY_BYTES), read in their receive path.
 */

const KB = 1024;

/** Forms: a few fields of text. */
export const FORM_BODY_LIMIT = 64 * KB;
/**
 * The settings form carries six reminder texts of up to 10,000 characters each; percent-encoded, a text of umlauts
 * is up to nine bytes per character.
 */
export const SETTINGS_BODY_LIMIT = 768 * KB;
/** /api/v1 JSON: a reason of 500 characters is the largest thing it takes today; 1 MB leaves room to grow. */
export const API_BODY_LIMIT = 1024 * KB;

/** Bank statements (camt, MT940) of up to 20 MB, with room for the multipart envelope of the upload. */
export const STATEMENT_BODY_LIMIT = 20 * 1024 * KB + 64 * KB;

export function bodyLimitFor(path: string): number {
  if (path === "/app/payments" || path === "/api/v1/payments/import") return STATEMENT_BODY_LIMIT;
  if (path.startsWith("/api/")) return API_BODY_LIMIT;
  if (path === "/app/settings") return SETTINGS_BODY_LIMIT;
  return FORM_BODY_LIMIT;
}

export type BodyRefusal = { status: 411 | 413; message: string };

/** Why a request's body is refused before it is read, or null. */
export function refuseBody(
  method: string,
  path: string,
  headers: { "content-length"?: string; "transfer-encoding"?: string },
): BodyRefusal | null {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS" || path.startsWith("/webhooks/")) return null;
  const declared = headers["content-length"];
  if (declared === undefined) {
    return headers["transfer-encoding"] ? { status: 411, message: "A request body needs a Content-Length." } : null;
  }
  const limit = bodyLimitFor(path);
  return Number(declared) > limit
    ? { status: 413, message: `The request body is larger than ${limit / KB} KB.` }
    : null;
}
