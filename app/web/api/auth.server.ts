import type { DbOrTx } from "#app/db/client.server";
import type { Shop } from "#app/db/schema";
import { type TenantScope, tenantScope } from "#app/db/tenant.server";
import { apiError } from "#app/utils/api-response.server";
import { RateLimiter } from "#app/web/rate-limit.server";

import { type ApiTokenInfo, authenticateApiToken } from "./tokens.server";

/** tenant: the token's shop as a row-level-security scope; every query after authentication runs through it (ADR 006). */
export type ApiCaller = {
  shop: Shop;
  token: ApiTokenInfo;
  actor: { type: "support"; id: string };
  tenant: TenantScope;
};

/** 120 requests per minute per token, per web process (a bucket in memory: cheap, and enough to stop a runaway script). */
export const apiRateLimiter = new RateLimiter({ capacity: 120, refillPerSecond: 2 });

/**
 * Resolves `Authorization: Bearer <token>` to the token's shop. Throws a ready Response for 401/403/429, so every
 * API route reads: `const caller = await requireApiCaller(db, request, { write: true })`.
 */
export async function requireApiCaller(
  db: DbOrTx,
  request: Request,
  options: { write: boolean; now?: Date; limiter?: RateLimiter },
): Promise<ApiCaller> {
  const now = options.now ?? new Date();
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match)
    throw apiError("unauthorized", "Missing bearer token: send Authorization: Bearer <token>.", null, {
      headers: { "WWW-Authenticate": "Bearer" },
    });
  const resolved = await authenticateApiToken(db, match[1]!, now);
  if (!resolved)
    throw apiError("unauthorized", "Unknown or revoked token.", null, { headers: { "WWW-Authenticate": "Bearer" } });
  const limit = (options.limiter ?? apiRateLimiter).take(resolved.token.id, now.getTime());
  if (!limit.ok) {
    throw apiError(
      "rate_limited",
      "Too many requests for this token; retry later.",
      { retryAfterSeconds: limit.retryAfterSeconds },
      {
        headers: { "Retry-After": String(limit.retryAfterSeconds) },
      },
    );
  }
  if (options.write && resolved.token.role !== "support") {
    throw apiError("forbidden", "This token is read-only.", { role: resolved.token.role });
  }
  return {
    ...resolved,
    actor: { type: "support", id: resolved.token.name || resolved.token.id },
    tenant: tenantScope(db, resolved.shop.id),
  };
}
