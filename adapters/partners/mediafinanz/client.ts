// HTTP for mediaFinanz: header authentication on every request, `validate: 1` for dry runs, and every answer sorted
// into ok / refused / unavailable — with whether the request may have reached mediaFinanz, because a handover that
// may have arrived must never be sent again without a person (docs/platforms/mediafinanz.md §5).
import { OutboundResponseError, readCappedText } from "#adapters/http/outbound";

import { type Envelope, envelopeLogId, envelopeMessages, EnvelopeSchema, isAccessError } from "./protocol";

/** mediaFinanz answers small JSON documents; anything larger is a fault and is not read on. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type MediafinanzCredentials = {
  /** The API base with its version, e.g. https://test.api.mediafinanz.de/v2.2 (from the environment, never a form). */
  baseUrl: string;
  uuid: string;
  user: string;
  /** Already decrypted by the caller. */
  password: string;
};

export type MediafinanzOutcome =
  | { kind: "ok"; status: number; body: unknown }
  /** mediaFinanz read the request and refused it (an envelope with bSuccess false, or a 4xx). */
  | { kind: "refused"; status: number; messages: string[]; access: boolean; logId: string | null }
  /**
   * No usable answer. `reached` false: the request never got to mediaFinanz (connection refused, name unknown, 429),
   * so repeating it is safe; true: it may have been carried out (timeout, dropped connection, 5xx).
   */
  | { kind: "unavailable"; reason: string; reached: boolean };

export type MediafinanzClientOptions = { fetch?: typeof fetch; timeoutMs?: number };

/** Connection errors that happen before a request is sent. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export class MediafinanzClient {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly credentials: MediafinanzCredentials,
    options: MediafinanzClientOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async request(
    method: "GET" | "PUT" | "POST",
    path: string,
    init: { body?: unknown; validate?: boolean } = {},
  ): Promise<MediafinanzOutcome> {
    const headers: Record<string, string> = {
      accept: "application/json",
      uuid: this.credentials.uuid,
      user: this.credentials.user,
      password: this.credentials.password,
    };
    if (init.validate) headers.validate = "1";
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const url = `${this.credentials.baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
    let status: number;
    let text: string;
    try {
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      text = await readCappedText(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      return unavailable(error, `${method} ${path}`);
    }
    return classify(status, text, `${method} ${path}`);
  }
}

function unavailable(error: unknown, what: string): MediafinanzOutcome {
  if (error instanceof OutboundResponseError && error.code === "ETOOLARGE")
    return { kind: "unavailable", reason: `${what}: mediaFinanz's answer was too large`, reached: true };
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  const reached = !(typeof code === "string" && NOT_SENT.has(code));
  const message =
    error instanceof Error
      ? `${error.name}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`
      : String(error);
  return { kind: "unavailable", reason: `${what}: network error calling mediaFinanz: ${message}`, reached };
}

function classify(status: number, text: string, what: string): MediafinanzOutcome {
  let body: unknown;
  try {
    body = text.trim() === "" ? null : JSON.parse(text);
  } catch {
    // 5xx answers are a plain error string (docs/platforms/mediafinanz.md §2.5).
    const excerpt = text.trim().slice(0, 300);
    if (status >= 200 && status < 300)
      return {
        kind: "unavailable",
        reason: `${what}: mediaFinanz answered ${status} with a body that is not JSON`,
        reached: true,
      };
    return {
      kind: "unavailable",
      reason: `${what}: mediaFinanz answered HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`,
      reached: status >= 500 || status === 408,
    };
  }
  if (status === 429)
    return { kind: "unavailable", reason: `${what}: mediaFinanz is throttling (HTTP 429)`, reached: false };
  if (status >= 500 || status === 408)
    return { kind: "unavailable", reason: `${what}: mediaFinanz answered HTTP ${status}`, reached: true };
  const envelope = EnvelopeSchema.safeParse(body);
  if (status >= 200 && status < 300 && !(envelope.success && envelope.data.bSuccess === false))
    return { kind: "ok", status, body };
  return refused(status, envelope.success ? envelope.data : null);
}

function refused(status: number, envelope: Envelope | null): MediafinanzOutcome {
  const messages = envelope ? envelopeMessages(envelope) : [];
  return {
    kind: "refused",
    status,
    messages: messages.length > 0 ? messages : [`HTTP ${status}`],
    access: status === 401 || status === 403 || isAccessError(messages),
    logId: envelope ? envelopeLogId(envelope) : null,
  };
}
