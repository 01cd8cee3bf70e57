// Requests to addresses a merchant (or anyone using the public connect form) chose: a store URL must never reach our
// own network. The name is resolved once, every address it resolves to must be public, and the socket connects to
// exactly the addresses checked (no second lookup an attacker's DNS could answer differently). No redirects, a size
// cap and a deadline on every answer.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";

import ipaddr from "ipaddr.js";

/** Same signature as dns.lookup with { all: true }; tests substitute a resolver (msw-mocked hosts do not resolve). */
export type Resolver = (hostname: string, options: { family?: number; hints?: number }) => Promise<dns.LookupAddress[]>;

export type OutboundPolicy = {
  /** ALLOW_PRIVATE_NETWORK: development and the project's own stand-ins on 127.0.0.1 only. */
  allowPrivateNetwork?: boolean;
  resolve?: Resolver;
};

/** Refused before any byte leaves: the caller reports it like any other unreachable host. */
export class OutboundRefusedError extends Error {
  override name = "OutboundRefusedError";
  readonly code = "EOUTBOUNDREFUSED";
}

const defaultResolver: Resolver = (hostname, options) => dns.promises.lookup(hostname, { ...options, all: true });

// ipaddr.js has no range for these; all are unusable or internal by definition.
const EXTRA_REFUSED: [string, number][] = [
  ["198.18.0.0", 15], // benchmarking (RFC 2544)
  ["::", 96], // IPv4-compatible IPv6 (deprecated; some stacks route it to IPv4)
  ["100::", 64], // discard-only
];

/** Only globally routable unicast: loopback, private, link-local, CGNAT, ULA, multicast, unspecified, reserved and
 *  IPv4 embedded in IPv6 (mapped, NAT64, 6to4, Teredo) are refused; an IPv4-mapped address is judged as its IPv4. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address) || net.isIP(address) === 0) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.range() !== "unicast") return false;
  return !EXTRA_REFUSED.some(([base, bits]) => {
    const range = ipaddr.parse(base);
    return range.kind() === parsed.kind() && (parsed as ipaddr.IPv4).match(range as ipaddr.IPv4, bits);
  });
}

function refuse(hostname: string): OutboundRefusedError {
  return new OutboundRefusedError(`outbound request to ${hostname} refused: not a public address`);
}

/** An IP-literal host never goes through lookup (Node connects to it directly), so it is checked here. */
export function checkHost(url: string, policy: OutboundPolicy = {}): void {
  if (policy.allowPrivateNetwork) return;
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(hostname) !== 0 && !isPublicAddress(hostname)) throw refuse(hostname);
}

/** A net/tls lookup that resolves once and hands over only checked addresses: the connection is pinned to them. */
export function guardedLookup(policy: OutboundPolicy = {}): LookupFunction {
  const resolve = policy.resolve ?? defaultResolver;
  return (hostname, options, callback) => {
    resolve(hostname, { family: typeof options.family === "number" ? options.family : undefined, hints: options.hints })
      .then((addresses) => {
        if (addresses.length === 0)
          throw Object.assign(new Error(`${hostname} did not resolve`), { code: "ENOTFOUND" });
        // One private address among public ones refuses the whole name: otherwise which one we hit is up to chance.
        if (!policy.allowPrivateNetwork && addresses.some((a) => !isPublicAddress(a.address))) throw refuse(hostname);
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, "", 0));
  };
}

/** Agents for axios (httpsAgent/httpAgent) and node:https whose every new connection goes through guardedLookup. */
export function guardedAgents(policy: OutboundPolicy = {}): { httpsAgent: https.Agent; httpAgent: http.Agent } {
  const lookup = guardedLookup(policy);
  // No keep-alive: agents live per client object and are never destroyed, so idle sockets would linger.
  return {
    httpsAgent: new https.Agent({ lookup, keepAlive: false }),
    httpAgent: new http.Agent({ lookup, keepAlive: false }),
  };
}

export type OutboundLimits = {
  /** Whole request, body included. */
  timeoutMs: number;
  maxBytes: number;
};

export class OutboundResponseError extends Error {
  override name = "OutboundResponseError";
  constructor(
    readonly code: "ETOOLARGE" | "ETIMEDOUT",
    message: string,
  ) {
    super(message);
  }
}

export type OutboundResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/**
 * One GET over node:http(s) through the guarded agent: a redirect is returned as it is (never followed), a body over
 * maxBytes or past the deadline fails. msw intercepts node:http in tests, so mocked hosts never reach the resolver.
 */
export function outboundGet(
  url: string,
  options: {
    headers?: Record<string, string>;
    agents: ReturnType<typeof guardedAgents>;
    policy?: OutboundPolicy;
  } & OutboundLimits,
): Promise<OutboundResponse> {
  checkHost(url, options.policy);
  const target = new URL(url);
  const client = target.protocol === "http:" ? http : https;
  return new Promise((resolve, reject) => {
    const request = client.get(target, {
      headers: options.headers,
      agent: target.protocol === "http:" ? options.agents.httpAgent : options.agents.httpsAgent,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on("error", (error) => {
      reject(
        error.name === "TimeoutError" || error.name === "AbortError"
          ? new OutboundResponseError("ETIMEDOUT", `no complete answer within ${options.timeoutMs} ms`)
          : error,
      );
    });
    request.on("response", (response) => {
      const announced = Number(response.headers["content-length"]);
      const chunks: Buffer[] = [];
      let size = 0;
      const tooLarge = () => {
        request.destroy();
        reject(new OutboundResponseError("ETOOLARGE", `answer larger than ${options.maxBytes} bytes`));
      };
      if (Number.isFinite(announced) && announced > options.maxBytes) return tooLarge();
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return tooLarge();
        chunks.push(chunk);
      });
      response.on("error", reject);
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
  });
}

/**
 * A fetch Response's body as text, failing once it exceeds maxBytes (read chunk by chunk, so an endless body costs at
 * most maxBytes). The caller's AbortSignal still bounds the time.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const announced = Number(response.headers.get("content-length"));
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel();
    throw new OutboundResponseError("ETOOLARGE", `answer larger than ${maxBytes} bytes`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new OutboundResponseError("ETOOLARGE", `answer larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Passes a byte stream through, failing once more than maxBytes went by (a download that never ends). */
export async function* cappedBytes(body: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new OutboundResponseError("ETOOLARGE", `download larger than ${maxBytes} bytes`);
    yield chunk;
  }
}
