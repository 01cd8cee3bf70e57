/*
 * The block's data: the order's case as the app's /order-block/{order id} endpoint answers it, read and acted on
 * through a fetch that, inside Shopify admin, carries the admin's session token. No app code is imported here: the
 * extension is its own bundle, so the answer is checked by hand (a test keeps this in step with the server).
 */

export type Tone = "caution" | "info" | "warning" | "critical" | "success" | "neutral";
export type CaseAction = "start" | "cancel";

export type TimelineEntry = { title: string; at: string; actor: string; reason: string | null };

export type Summary =
  | { tracked: false; reason: "unknown_order" | "not_invoice" | "no_case"; text: string }
  | {
      tracked: true;
      caseId: string;
      casePath: string;
      orderName: string;
      status: string;
      statusText: string;
      tone: Tone;
      outstandingText: string;
      levelText: string;
      nextText: string | null;
      timeline: TimelineEntry[];
      actions: CaseAction[];
      reasonMax: number;
    };

export type BlockState =
  | { kind: "loading" }
  | { kind: "failed"; problem: "network" | "answer" }
  | { kind: "ready"; summary: Summary; refusal: string | null };

const TONES: readonly string[] = ["caution", "info", "warning", "critical", "success", "neutral"];
const UNTRACKED: readonly string[] = ["unknown_order", "not_invoice", "no_case"];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isString = (v: unknown): v is string => typeof v === "string";

function isEntry(v: unknown): v is TimelineEntry {
  return (
    isRecord(v) && isString(v.title) && isString(v.at) && isString(v.actor) && (v.reason === null || isString(v.reason))
  );
}

/** The endpoint's answer, or null when it is not one (an HTML error page, a proxy's answer, a newer shape). */
export function parseSummary(value: unknown): Summary | null {
  if (!isRecord(value)) return null;
  if (value.tracked === false)
    return isString(value.reason) && UNTRACKED.includes(value.reason) && isString(value.text)
      ? (value as Summary)
      : null;
  if (value.tracked !== true) return null;
  const ok =
    ["caseId", "casePath", "orderName", "status", "statusText", "outstandingText", "levelText"].every((k) =>
      isString(value[k]),
    ) &&
    isString(value.tone) &&
    TONES.includes(value.tone) &&
    (value.nextText === null || isString(value.nextText)) &&
    Array.isArray(value.timeline) &&
    value.timeline.every(isEntry) &&
    Array.isArray(value.actions) &&
    value.actions.every((a) => a === "start" || a === "cancel") &&
    typeof value.reasonMax === "number";
  return ok ? (value as Summary) : null;
}

/** "gid://shopify/Order/5501234" → "5501234"; anything else → null. */
export function orderIdOf(gid: string | undefined): string | null {
  const match = /^gid:\/\/shopify\/Order\/(\d{1,20})$/.exec(gid ?? "");
  return match ? match[1]! : null;
}

export type BlockClient = {
  load(): Promise<BlockState>;
  act(action: CaseAction, reason: string): Promise<BlockState>;
};

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Reads and acts on one order's case. A refused action (a reason missing, a case that moved on meanwhile) answers
 * with the refusal and the case as it now is; the server's message is shown as it is.
 */
export function blockClient(fetchFn: Fetch, base: string, orderId: string, locale: string): BlockClient {
  const url = `${base}/order-block/${encodeURIComponent(orderId)}?locale=${encodeURIComponent(locale)}`;
  async function read(response: Response): Promise<BlockState> {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { kind: "failed", problem: "answer" };
    }
    const refusal = isRecord(body) && isRecord(body.error) && isString(body.error.message) ? body.error.message : null;
    const summary = parseSummary(refusal === null ? body : isRecord(body) ? body.summary : null);
    // 404 carries the "not tracked" answer for an order Mahnwerk never saw.
    if (!summary || (!response.ok && response.status !== 404 && refusal === null))
      return { kind: "failed", problem: "answer" };
    return { kind: "ready", summary, refusal };
  }
  async function call(init?: RequestInit): Promise<BlockState> {
    let response: Response;
    try {
      response = await fetchFn(url, init);
    } catch {
      return { kind: "failed", problem: "network" };
    }
    return read(response);
  }
  return {
    load: () => call(),
    act: (action, reason) =>
      call({
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ action, reason }),
      }),
  };
}
