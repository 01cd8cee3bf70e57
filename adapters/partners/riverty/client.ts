// HTTP for Riverty Back in Flow: OAuth2 client credentials (token cached until shortly before it expires),
// bearer on every call, one token refresh on 401, and every answer classified as ok / rejected / retryable.
import { OutboundResponseError, readCappedText } from "#adapters/http/outbound";

import { errorMessages, TokenResponseSchema } from "./schemas";

/** Riverty's answers are small JSON documents; a larger body is a fault (or not Riverty) and is not read on. */
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export type RivertyConfig = {
  /** The collection API base, without /v1 (sandbox or production, from the shop's settings). */
  baseUrl: string;
  /** The full token endpoint, https://{auth0Domain}/oauth/token. */
  authUrl: string;
  audience: string;
  clientId: string;
  /** Already decrypted by the caller. */
  clientSecret: string;
};

export type RivertyClientOptions = {
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Per request, token requests included. */
  timeoutMs?: number;
  /** Fetch a new token this long before the old one expires (at most a tenth of its lifetime). */
  refreshMarginMs?: number;
};

export type HttpOutcome =
  | { kind: "ok"; status: number; body: unknown }
  | { kind: "rejected"; status: number; messages: string[] }
  | { kind: "retryable"; reason: string; status: number | null };

export type RivertyRequest = {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
};

type CachedToken = { accessToken: string; refreshAt: number };

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export class RivertyClient {
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly refreshMarginMs: number;
  private cached: CachedToken | null = null;
  private pending: Promise<{ ok: true; token: string } | { ok: false; outcome: HttpOutcome }> | null = null;

  constructor(
    private readonly config: RivertyConfig,
    options: RivertyClientOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000;
  }

  /** Forget the cached token (the next call fetches a new one). */
  invalidateToken(): void {
    this.cached = null;
  }

  /**
   * Fetches a fresh token (never the cached one): whether the credentials work right now, with the reason when not.
   * The settings page's "Test connection".
   */
  async checkCredentials(): Promise<{ ok: true } | { ok: false; reason: string }> {
    this.cached = null;
    const token = await this.token();
    if (token.ok) return { ok: true };
    return {
      ok: false,
      reason:
        token.outcome.kind === "rejected"
          ? token.outcome.messages.join("; ")
          : token.outcome.kind === "retryable"
            ? token.outcome.reason
            : "unexpected answer",
    };
  }

  async request(method: "GET" | "POST", path: string, init: RivertyRequest = {}): Promise<HttpOutcome> {
    const first = await this.token();
    if (!first.ok) return first.outcome;
    const answer = await this.send(method, path, init, first.token);
    if (answer.kind !== "unauthorized") return answer;
    // The token may have been revoked or expired early: one fresh token, one retry.
    if (this.cached?.accessToken === first.token) this.cached = null;
    const second = await this.token();
    if (!second.ok) return second.outcome;
    const retried = await this.send(method, path, init, second.token);
    if (retried.kind !== "unauthorized") return retried;
    this.cached = null;
    return { kind: "retryable", reason: "Riverty refused a freshly issued token (HTTP 401)", status: 401 };
  }

  private url(path: string, query: RivertyRequest["query"]): string {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, "")}${path}`);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  private async send(
    method: "GET" | "POST",
    path: string,
    init: RivertyRequest,
    token: string,
  ): Promise<HttpOutcome | { kind: "unauthorized" }> {
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${token}`,
      ...init.headers,
    };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await this.call(this.url(path, init.query), {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (response.kind === "retryable") return response;
    if (response.status === 401) return { kind: "unauthorized" };
    return classify(response.status, response.text, `${method} ${path}`);
  }

  /**
   * One request. A request that is safe to repeat (a GET; the token request) and failed without an answer and
   * without timing out is sent once more at once: that is how a kept-alive connection the server closed meanwhile
   * shows up (seen after an outage), and the next feed poll or outbox attempt would otherwise be minutes away. Claims,
   * payments and recalls (POST) are never resent here: the outbox decides, after a look-up, whether to send again.
   */
  private async call(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
    repeatable = init.method === "GET",
  ): Promise<{ kind: "response"; status: number; text: string } | { kind: "retryable"; reason: string; status: null }> {
    try {
      const res = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      return { kind: "response" as const, status: res.status, text: await readCappedText(res, MAX_RESPONSE_BYTES) };
    } catch (error) {
      if (error instanceof OutboundResponseError && error.code === "ETOOLARGE") {
        return {
          kind: "retryable" as const,
          reason: `Riverty's answer was too large (${error.message})`,
          status: null,
        };
      }
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      if (repeatable && !timedOut) return this.call(url, init, false);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { kind: "retryable" as const, reason: `network error calling Riverty: ${message}`, status: null };
    }
  }

  private async token(): Promise<{ ok: true; token: string } | { ok: false; outcome: HttpOutcome }> {
    if (this.cached && this.now() < this.cached.refreshAt) return { ok: true, token: this.cached.accessToken };
    // Concurrent callers share one token request.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<{ ok: true; token: string } | { ok: false; outcome: HttpOutcome }> {
    const requestedAt = this.now();
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      audience: this.config.audience,
    });
    const response = await this.call(
      this.config.authUrl,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
      },
      true,
    );
    if (response.kind === "retryable") return { ok: false, outcome: response };
    const outcome = classify(response.status, response.text, "token request");
    if (outcome.kind === "retryable") return { ok: false, outcome };
    if (outcome.kind === "rejected") {
      // Wrong or revoked credentials are the shop's settings, not the claim: keep it queued, say why.
      const detail = outcome.messages.join("; ");
      return {
        ok: false,
        outcome: {
          kind: "retryable",
          reason: `Riverty refused the credentials (HTTP ${outcome.status}${detail ? `: ${detail}` : ""})`,
          status: outcome.status,
        },
      };
    }
    const parsed = TokenResponseSchema.safeParse(outcome.body);
    if (!parsed.success) {
      return {
        ok: false,
        outcome: { kind: "retryable", reason: "Riverty token answer is not an OAuth token", status: outcome.status },
      };
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const margin = Math.min(this.refreshMarginMs, lifetimeMs / 10);
    this.cached = { accessToken: parsed.data.access_token, refreshAt: requestedAt + lifetimeMs - margin };
    return { ok: true, token: parsed.data.access_token };
  }
}

function classify(status: number, text: string, what: string): HttpOutcome {
  let body: unknown = null;
  let readable = true;
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      readable = false;
      body = text.slice(0, 500);
    }
  }
  if (status >= 200 && status < 300) {
    if (!readable)
      return { kind: "retryable", reason: `${what}: Riverty answered ${status} with a body that is not JSON`, status };
    return { kind: "ok", status, body };
  }
  if (status >= 500 || RETRYABLE_STATUS.has(status)) {
    const messages = errorMessages(body);
    return {
      kind: "retryable",
      reason: `${what}: Riverty answered HTTP ${status}${messages.length ? ` (${messages.join("; ")})` : ""}`,
      status,
    };
  }
  const messages = errorMessages(body);
  return { kind: "rejected", status, messages: messages.length > 0 ? messages : [`HTTP ${status}`] };
}
