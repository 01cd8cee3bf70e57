// mediaFinanz as a CollectionPartner: hand over (after a dry run), read a claim's status, cancel. It offers no
// look-up by reference, no feed and no direct-payment report: the capabilities say so, and the app offers only the
// rest (docs/platforms/mediafinanz.md).
import type {
  Claim,
  ClaimStatusResult,
  CollectionPartner,
  ConnectionCheckResult,
  PartnerActionResult,
  PartnerCapabilities,
  PartnerChange,
  RecallRequest,
  SubmitClaimResult,
} from "#adapters/partners/collection-partner";

import { claimBody } from "./claim";
import { MediafinanzClient, type MediafinanzClientOptions, type MediafinanzCredentials } from "./client";
import { FILE_NUMBER, type MediafinanzProtocol, type StatusMeaning, valueAt } from "./protocol";

export const MEDIAFINANZ_CAPABILITIES: PartnerCapabilities = {
  currencies: ["EUR"],
  countries: ["DE"],
  // Court dunning only on the creditor's instruction in mediaFinanz's portal; the API knows only pre-court ("V").
  courtDunning: false,
  minimumAmount: null,
  feeInfo:
    "mediaFinanz charges the debtor the pre-court collection costs as damages for default; registration is free. Costs of a cancellation or of court steps are set in the shop's mediaFinanz contract.",
  lookupByReference: false,
  statusSource: "per_claim",
  recall: true,
  directPaymentReport: false,
  dryRun: true,
  portal: "https://mandanten.mediafinanz.de",
};

/** A file number no claim has, for the credential check: `validate: 1` checks the request and stores nothing. */
const PROBE_FILE_NUMBER = "00000000000";

export function createMediafinanzAdapter(
  credentials: MediafinanzCredentials,
  protocol: MediafinanzProtocol,
  options: MediafinanzClientOptions = {},
): CollectionPartner {
  const client = new MediafinanzClient(credentials, options);

  const refusedReasons = (messages: string[]) => messages.map((m) => `mediafinanz: ${m}`);

  return {
    id: "mediafinanz",
    capabilities: MEDIAFINANZ_CAPABILITIES,

    async checkConnection(): Promise<ConnectionCheckResult> {
      const answer = await client.request("GET", `collect/claim/${PROBE_FILE_NUMBER}/status/`, { validate: true });
      if (answer.kind === "ok") return { kind: "ok" };
      if (answer.kind === "unavailable") return { kind: "failed", reason: answer.reason };
      return {
        kind: "failed",
        reason: answer.access
          ? `mediaFinanz refused the credentials: ${answer.messages.join("; ")}`
          : answer.messages.join("; "),
      };
    },

    async validateClaim(claim: Claim, { reference }): Promise<PartnerActionResult> {
      const answer = await client.request("PUT", "collect/claim/new/", {
        body: claimBody(claim, reference, protocol),
        validate: true,
      });
      if (answer.kind === "ok") return { kind: "accepted", requestId: reference };
      if (answer.kind === "unavailable") return { kind: "retryable", reason: answer.reason };
      // Wrong credentials are the shop's settings, not the claim: it waits, and the reason says why.
      if (answer.access)
        return { kind: "retryable", reason: `mediaFinanz refused the credentials: ${answer.messages.join("; ")}` };
      return { kind: "rejected", reasons: refusedReasons(answer.messages) };
    },

    async submitClaim(claim: Claim, { reference }): Promise<SubmitClaimResult> {
      const answer = await client.request("PUT", "collect/claim/new/", { body: claimBody(claim, reference, protocol) });
      switch (answer.kind) {
        case "unavailable":
          return answer.reached
            ? { kind: "unknown", reason: answer.reason }
            : { kind: "retryable", reason: answer.reason };
        case "refused":
          if (answer.access)
            return { kind: "retryable", reason: `mediaFinanz refused the credentials: ${answer.messages.join("; ")}` };
          return { kind: "rejected", reasons: refusedReasons(answer.messages) };
        case "ok": {
          if (!protocol.fileNumberField)
            return {
              kind: "unknown",
              reason: "mediaFinanz accepted the claim; where its answer carries the file number is not configured",
            };
          const fileNumber = valueAt(answer.body, protocol.fileNumberField);
          const text = typeof fileNumber === "number" ? String(fileNumber).padStart(11, "0") : fileNumber;
          if (typeof text !== "string" || !FILE_NUMBER.test(text))
            return {
              kind: "unknown",
              reason: `mediaFinanz accepted the claim but its answer has no 11-digit file number at ${protocol.fileNumberField}`,
            };
          return { kind: "accepted", partnerReference: text, requestId: reference };
        }
      }
    },

    async claimStatus(fileNumber: string): Promise<ClaimStatusResult> {
      if (!protocol.statusCodeField)
        return { kind: "retryable", reason: "where mediaFinanz's status answer carries the code is not configured" };
      const answer = await client.request("GET", `collect/claim/${fileNumber}/status/`);
      if (answer.kind === "unavailable") return { kind: "retryable", reason: answer.reason };
      if (answer.kind === "refused")
        return answer.access
          ? { kind: "retryable", reason: `mediaFinanz refused the credentials: ${answer.messages.join("; ")}` }
          : { kind: "refused", reason: `mediaFinanz refused the status request: ${answer.messages.join("; ")}` };
      const rawCode = valueAt(answer.body, protocol.statusCodeField);
      const code = typeof rawCode === "number" ? String(rawCode) : rawCode;
      if (typeof code !== "string" || !/^\d{1,6}$/.test(code))
        return {
          kind: "retryable",
          reason: `mediaFinanz's status answer has no status code at ${protocol.statusCodeField}`,
        };
      const rawText = protocol.statusTextField ? valueAt(answer.body, protocol.statusTextField) : undefined;
      const text = typeof rawText === "string" ? rawText.slice(0, 300) : "";
      const meaning = protocol.statusTable[code];
      return {
        kind: "ok",
        code,
        text,
        known: meaning !== undefined,
        change: meaning ? statusChange(fileNumber, code, text, meaning) : null,
      };
    },

    async requestRecall(recall: RecallRequest): Promise<PartnerActionResult> {
      if (recall.amount) return { kind: "rejected", reasons: ["mediafinanz_partial_recall_not_supported"] };
      const answer = await client.request("POST", `collect/claim/${recall.claimNumber}/close/`);
      if (answer.kind === "ok") return { kind: "accepted", requestId: `close:${recall.claimNumber}` };
      if (answer.kind === "unavailable") return { kind: "retryable", reason: answer.reason };
      if (answer.access)
        return { kind: "retryable", reason: `mediaFinanz refused the credentials: ${answer.messages.join("; ")}` };
      return { kind: "rejected", reasons: refusedReasons(answer.messages) };
    },
  };
}

/** A status as the change it stands for; the id is the file number and code, so a status polled again is one change. */
export function statusChange(
  fileNumber: string,
  code: string,
  text: string,
  meaning: StatusMeaning,
): PartnerChange | null {
  const base = {
    id: `mediafinanz:${fileNumber}:${code}`,
    invoiceNumber: null,
    claimNumber: fileNumber,
    occurredAt: new Date(),
  };
  const detail = `${code}${text ? ` ${text}` : ""}`;
  switch (meaning) {
    case "handed_over":
      return null;
    case "contacted":
    case "payment_plan":
    case "disputed":
    case "court_procedure":
      return { ...base, type: "sub_status", subStatus: meaning, detail };
    case "paid":
      return { ...base, type: "closed", outcome: "paid_in_full", detail };
    case "cancelled":
      return { ...base, type: "closed", outcome: "recalled", detail };
    case "uncollectible":
      return { ...base, type: "closed", outcome: "uncollectible", detail };
  }
}
