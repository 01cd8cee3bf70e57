import type { AppLoadContext } from "@remix-run/node";

import { getEnv } from "#app/config/env.server";

/**
 * The client's address for rate limits. X-Forwarded-For is the client's to write, so it counts only as far as our own
 * proxies appended to it: with TRUST_PROXY=0 the socket's peer, with N hops the Nth entry from the right (the address
 * the outermost of our proxies saw). Unknown (a request not from server.ts, e.g. a test) is one shared client.
 */
export function clientAddressOf(
  socketAddress: string | undefined,
  forwardedFor: string | null,
  trustProxy: number,
): string {
  if (trustProxy > 0) {
    const hops = (forwardedFor ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    // Fewer entries than proxies: the request came in past some of them; the leftmost is the furthest one known.
    const forwarded = hops[hops.length - trustProxy] ?? hops[0];
    if (forwarded) return forwarded;
  }
  return socketAddress || "unknown";
}

/** clientAddressOf for a Remix loader or action, with TRUST_PROXY from the environment. */
export function clientAddress(request: Request, context: AppLoadContext | undefined): string {
  const socket = context?.clientAddress;
  return clientAddressOf(
    typeof socket === "string" ? socket : undefined,
    request.headers.get("x-forwarded-for"),
    getEnv().TRUST_PROXY,
  );
}
