// mediaFinanz REST API (v2.2 paths, v2.1-compatible), as far as its public examples show it
// (docs/platforms/mediafinanz.md). What no source shows — the success body of a handover, the status answer and its
// codes, the code lists of some claim fields — is configuration here, never a default we made up.
import { z } from "zod";

/** The file number ("Aktenzeichen") mediaFinanz gives a claim: eleven digits, kept as text (it overflows int32). */
export const FILE_NUMBER = /^\d{11}$/;

/** Our states a mediaFinanz status code can stand for (docs/platforms/mediafinanz.md §4). */
export const STATUS_MEANINGS = [
  "handed_over",
  "contacted",
  "payment_plan",
  "disputed",
  "court_procedure",
  "paid",
  "cancelled",
  "uncollectible",
] as const;
export type StatusMeaning = (typeof STATUS_MEANINGS)[number];

const dotPath = z
  .string()
  .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, "must be a field name or a dotted path such as sData.az");
const code = z.number().int().min(0).max(99);

/**
 * The protocol facts an operator fills in once mediaFinanz has answered them. Without `fileNumberField` a handover is
 * sent but its file number is not read (support enters it); without the status fields status is not polled.
 */
export const MediafinanzProtocolSchema = z.object({
  /** Where the file number stands in the answer to `PUT collect/claim/new/`. */
  fileNumberField: dotPath.nullable().default(null),
  /** Where the status code and its text stand in the answer to `GET collect/claim/{az}/status/`. */
  statusCodeField: dotPath.nullable().default(null),
  statusTextField: dotPath.nullable().default(null),
  /** What each status code means; 10210 ("claim cancelled by you") is the one code with a published text. */
  statusTable: z.record(z.string().regex(/^\d{1,6}$/), z.enum(STATUS_MEANINGS)).default({ "10210": "cancelled" }),
  /** `Debtor.PersonType` per kind of debtor; omitted from the claim when not set. */
  personTypes: z.object({ private: code, company: code }).nullable().default(null),
  /** `Communications[].Means`/`Type` for an e-mail address and a phone number; omitted when not set. */
  communications: z
    .object({ email: z.object({ means: code, type: code }), phone: z.object({ means: code, type: code }) })
    .nullable()
    .default(null),
  /** Optional `PartnerNo` mediaFinanz gives an integrator. */
  partnerNo: z.number().int().min(0).nullable().default(null),
});
export type MediafinanzProtocol = z.infer<typeof MediafinanzProtocolSchema>;

/** The documented error envelope (also the answer of a `validate: 1` request). */
export const EnvelopeSchema = z.object({
  bSuccess: z.boolean(),
  aMessage: z
    .array(
      z
        .object({
          sKey: z.string().optional(),
          sValue: z.unknown().optional(),
          sSubject: z.string().optional(),
          sBody: z.string().optional(),
        })
        .passthrough(),
    )
    .optional()
    .default([]),
  aValidationResult: z
    .array(
      z
        .object({
          name: z.string().optional(),
          code: z.string().optional(),
          in: z.string().optional(),
          pattern: z.string().optional(),
          expected: z.unknown().optional(),
          used: z.unknown().optional(),
        })
        .passthrough(),
    )
    .optional()
    .default([]),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** One line per problem of a refused request: the messages (log ids left out) and every validation result. */
export function envelopeMessages(envelope: Envelope): string[] {
  const messages = envelope.aMessage
    .filter((m) => m.sKey !== "logId")
    .map((m) => (typeof m.sValue === "string" ? m.sValue : (m.sBody ?? m.sSubject ?? "")))
    .filter((m) => m.trim() !== "");
  const validation = envelope.aValidationResult.map((v) => {
    const where = [v.name, v.in ? `(${v.in})` : ""].filter(Boolean).join(" ");
    const detail = v.pattern ? `must match ${v.pattern}` : v.expected ? `expected ${String(v.expected)}` : "";
    return [where, v.code, detail].filter(Boolean).join(": ");
  });
  return [...messages, ...validation];
}

/** The log id mediaFinanz puts in an error envelope, for a support request to them. */
export function envelopeLogId(envelope: Envelope): string | null {
  const entry = envelope.aMessage.find((m) => m.sKey === "logId");
  return typeof entry?.sValue === "string" ? entry.sValue : null;
}

/** An access error ("CDM: Access denied …") may arrive as HTTP 400: it is the shop's credentials, not the claim. */
export function isAccessError(messages: string[]): boolean {
  return messages.some((m) => /access denied/i.test(m));
}

/** The value at a dotted path of a parsed JSON answer, or undefined. */
export function valueAt(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export type MediafinanzEnvironment = "sandbox" | "production";
export type MediafinanzEndpoints = { baseUrl: string; answers: MediafinanzProtocol };

const EndpointsSchema = z.object({
  baseUrl: z.url(),
  answers: MediafinanzProtocolSchema.default(MediafinanzProtocolSchema.parse({})),
});
const EnvironmentsSchema = z
  .object({ sandbox: EndpointsSchema.optional(), production: EndpointsSchema.optional() })
  .strict();

/**
 * MEDIAFINANZ_ENDPOINTS: per environment the API base with its version (mediaFinanz's test host is
 * https://test.api.mediafinanz.de/v2.2) and what the operator learnt of its answers (MediafinanzProtocolSchema).
 */
export function mediafinanzEnvironments(
  json: string | undefined,
): Partial<Record<MediafinanzEnvironment, MediafinanzEndpoints>> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TypeError("MEDIAFINANZ_ENDPOINTS is not JSON");
  }
  const parsed = EnvironmentsSchema.safeParse(value);
  if (!parsed.success)
    throw new TypeError(
      `MEDIAFINANZ_ENDPOINTS: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
