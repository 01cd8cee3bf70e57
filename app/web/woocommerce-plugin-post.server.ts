import type { DbOrTx } from "#app/db/client.server";
import { getDb } from "#app/db/db.server";
import type { Result } from "#app/domain/result";
import { wooSecretsKey } from "#app/services/woocommerce/connections.server";
import { logger } from "#app/utils/logger.server";

type SignedAnswer<T> = (
  db: DbOrTx,
  params: URLSearchParams,
  deps: { key: Buffer; now: Date },
) => Promise<Result<T, { code: string }>>;

/**
 * A form POST from the companion plugin, signed with the connection's secret. Reachable without a login: the body is
 * bounded by the server's form limit and `answer` checks the signature before reading anything. Other methods get
 * 405, a server without the key to the connections' secrets 503, a malformed form 400 and a bad signature 403 (logged
 * as `what` refused); otherwise `respond` answers.
 */
export async function pluginPost<T>(
  request: Request,
  what: string,
  answer: SignedAnswer<T>,
  respond: (value: T) => Response,
): Promise<Response> {
  if (request.method !== "POST") return postOnly();
  const key = wooSecretsKey();
  if (!key) return new Response(null, { status: 503 });
  const answered = await answer(await getDb(), new URLSearchParams(await request.text()), { key, now: new Date() });
  if (!answered.ok) {
    logger.warn({ code: answered.error.code }, `${what} refused`);
    return new Response(null, { status: answered.error.code === "invalid" ? 400 : 403 });
  }
  return respond(answered.value);
}

/** The plugin's endpoints take only POST. */
export function postOnly(): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
