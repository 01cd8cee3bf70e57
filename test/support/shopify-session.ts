import { createHmac, randomUUID } from "node:crypto";

/**
 * A Shopify session token (the admin's ID token) as App Bridge and admin extensions send it: HS256 with the app's
 * secret, audience = the app's API key, `sub` = the staff member's user id.
 */
export function shopifySessionToken(
  shop: string,
  app: { apiKey: string; secret: string },
  options: { secret?: string; aud?: string; sub?: string } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const head = enc({ alg: "HS256", typ: "JWT" });
  const body = enc({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: options.aud ?? app.apiKey,
    sub: options.sub ?? "42",
    exp: now + 60,
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const sig = createHmac("sha256", options.secret ?? app.secret)
    .update(`${head}.${body}`)
    .digest("base64url");
  return `${head}.${body}.${sig}`;
}
