// The sandbox partner speaking mediaFinanz's REST protocol (docs/platforms/mediafinanz.md) as far as it is known.
// Where mediaFinanz has published nothing — the success body of a handover, the status answer and its codes — the
// sandbox answers in a shape of its own, declared once in SANDBOX_MEDIAFINANZ_ANSWERS, which the adapter is
// configured with exactly like an operator configures it for mediaFinanz. Switches for what is unknown or faulty:
// the duplicate policy for ClientCustomerRefNo, 400 (not 401) for access errors, scripted status changes.
import { z } from "zod";

import { MediafinanzProtocolSchema } from "../mediafinanz/protocol";

/** The sandbox's own status codes (mediaFinanz's REST codes are unknown; 10210 is the one published SOAP code). */
export const SANDBOX_STATUS = {
  received: "10201",
  contacted: "10203",
  paid: "10230",
  uncollectible: "10231",
  cancelled: "10210",
} as const;

/** How the sandbox answers: what an operator would learn from mediaFinanz and put in MEDIAFINANZ_ENDPOINTS. */
export const SANDBOX_MEDIAFINANZ_ANSWERS = MediafinanzProtocolSchema.parse({
  fileNumberField: "sData.az",
  statusCodeField: "sData.statusCode",
  statusTextField: "sData.statusText",
  statusTable: {
    [SANDBOX_STATUS.received]: "handed_over",
    [SANDBOX_STATUS.contacted]: "contacted",
    [SANDBOX_STATUS.paid]: "paid",
    [SANDBOX_STATUS.uncollectible]: "uncollectible",
    [SANDBOX_STATUS.cancelled]: "cancelled",
  },
  personTypes: { private: 1, company: 2 },
  communications: { email: { means: 1, type: 1 }, phone: { means: 2, type: 1 } },
});

const STATUS_TEXT: Record<string, string> = {
  [SANDBOX_STATUS.received]: "Forderung übernommen",
  [SANDBOX_STATUS.contacted]: "Schuldner angeschrieben",
  [SANDBOX_STATUS.paid]: "Forderung vollständig bezahlt",
  [SANDBOX_STATUS.uncollectible]: "Forderung uneinbringlich",
  [SANDBOX_STATUS.cancelled]: "Forderung von Ihnen storniert",
};

export type DuplicatePolicy = "accept" | "reject" | "existing";

export type MediafinanzSandboxOptions = {
  uuid: string;
  user: string;
  password: string;
  /** What a second claim with a ClientCustomerRefNo already seen gets: a new file number, a refusal, or the first one's. */
  duplicates: DuplicatePolicy;
  /** Access errors as HTTP 400 (as mediaFinanz documents) or 401. */
  accessErrorStatus: 400 | 401;
  seed: number;
};

export const MEDIAFINANZ_SANDBOX_DEFAULTS: MediafinanzSandboxOptions = {
  uuid: "5a1e0b1c-0000-4000-8000-00000000f1a2",
  user: "mahnwerk-sandbox",
  password: "sandbox-password",
  duplicates: "accept",
  accessErrorStatus: 400,
  seed: 1,
};

const address = z.object({
  Street: z.string().min(1),
  PostalCode: z.string().min(1),
  City: z.string().min(1),
  CountryCode: z.string().length(2),
});
const invoice = z.object({ Number: z.string(), Value: z.number(), Date: z.string() });
const ClaimBodySchema = z.object({
  ClientCustomerRefNo: z.string().max(40).optional(),
  Stage: z.literal("V"),
  Debtor: z.object({ LastName: z.string(), FirstName: z.string(), Company: z.string(), PostalAddress: address }),
  Claim: z.object({
    Amount: z.number().positive(),
    ContractDate: z.string(),
    Reason: z.string().max(250),
    PrincipalClaim: invoice,
    DunningCosts: invoice,
  }),
});

export type SandboxFile = {
  az: string;
  reference: string | null;
  lastName: string;
  amount: number;
  /** The script's statuses; the claim is at `step`. */
  script: string[];
  step: number;
};

export type MediafinanzRequest = {
  method: string;
  path: string;
  headers: (name: string) => string | null;
  body: string;
};
export type MediafinanzResponse = { status: number; body: unknown };

const envelope = (success: boolean, messages: string[], validation: object[] = [], data: unknown = "") => ({
  bSuccess: success,
  aMessage: [...messages.map((m) => ({ sKey: "error", sValue: m })), { sKey: "logId", sValue: "sandbox" }].filter(
    () => !success,
  ),
  aValidationResult: validation,
  sData: data,
});

export function createMediafinanzSandbox(overrides: Partial<MediafinanzSandboxOptions> = {}) {
  const options = { ...MEDIAFINANZ_SANDBOX_DEFAULTS, ...overrides };
  const files = new Map<string, SandboxFile>();
  let next = 10_000_000_000 + options.seed * 1_000;

  const validationOf = (body: unknown) => {
    const parsed = ClaimBodySchema.safeParse(body);
    if (parsed.success) return { ok: true as const, claim: parsed.data };
    return {
      ok: false as const,
      problems: parsed.error.issues.map((i) => ({
        name: i.path.join("."),
        code: i.code === "invalid_type" ? "error_type" : "error_pattern",
        in: "body",
      })),
    };
  };

  const handle = (request: MediafinanzRequest): MediafinanzResponse => {
    const { method, path } = request;
    if (
      request.headers("uuid") !== options.uuid ||
      request.headers("user") !== options.user ||
      request.headers("password") !== options.password
    )
      return { status: options.accessErrorStatus, body: envelope(false, ["CDM: Access denied (code SBX401)"]) };
    const validate = request.headers("validate") === "1";
    const statusPath = /^\/collect\/claim\/([^/]+)\/(status|close)\/$/.exec(path);
    if (statusPath) {
      const [, az, action] = statusPath;
      if (!/^\d{11}$/.test(az!))
        return {
          status: 400,
          body: envelope(false, [], [{ name: "az", code: "error_pattern", in: "path", pattern: "^\\d{11}$" }]),
        };
      if (validate) return { status: 200, body: envelope(true, []) };
      const file = files.get(az!);
      if (!file) return { status: 404, body: envelope(false, [`Akte ${az} nicht gefunden`]) };
      if (action === "status" && method === "GET") {
        const code = file.script[file.step]!;
        // Each status request moves the claim one step along its script (the sandbox's clock).
        if (file.step < file.script.length - 1 && code !== SANDBOX_STATUS.cancelled) file.step += 1;
        return {
          status: 200,
          body: envelope(true, [], [], { az, statusCode: Number(code), statusText: STATUS_TEXT[code] }),
        };
      }
      if (action === "close" && method === "POST") {
        const code = file.script[file.step]!;
        if (code === SANDBOX_STATUS.paid || code === SANDBOX_STATUS.cancelled || code === SANDBOX_STATUS.uncollectible)
          return { status: 400, body: envelope(false, [`Akte ${az} ist bereits abgeschlossen`]) };
        file.script = [...file.script.slice(0, file.step + 1), SANDBOX_STATUS.cancelled];
        file.step = file.script.length - 1;
        return { status: 200, body: envelope(true, [], [], { az }) };
      }
    }
    if (path === "/collect/claim/new/" && method === "PUT") {
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        return { status: 400, body: envelope(false, ["Request body is not JSON"]) };
      }
      const checked = validationOf(body);
      if (!checked.ok) return { status: 400, body: envelope(false, [], checked.problems) };
      if (checked.claim.Debtor.LastName === "Abgelehnt")
        return { status: 400, body: envelope(false, ["Forderung abgelehnt: Schuldner unbekannt verzogen"]) };
      if (validate) return { status: 200, body: envelope(true, []) };
      const reference = checked.claim.ClientCustomerRefNo ?? null;
      const earlier = reference ? [...files.values()].find((f) => f.reference === reference) : undefined;
      if (earlier && options.duplicates === "reject")
        return { status: 400, body: envelope(false, [`ClientCustomerRefNo ${reference} ist bereits vergeben`]) };
      if (earlier && options.duplicates === "existing")
        return { status: 201, body: envelope(true, [], [], { az: earlier.az }) };
      const az = String((next += 1));
      const uncollectible = checked.claim.Debtor.LastName === "Uneinbringlich";
      files.set(az, {
        az,
        reference,
        lastName: checked.claim.Debtor.LastName,
        amount: checked.claim.Claim.Amount,
        script: [
          SANDBOX_STATUS.received,
          SANDBOX_STATUS.contacted,
          uncollectible ? SANDBOX_STATUS.uncollectible : SANDBOX_STATUS.paid,
        ],
        step: 0,
      });
      return { status: 201, body: envelope(true, [], [], { az }) };
    }
    return { status: 404, body: envelope(false, [`${method} ${path} is not part of the API`]) };
  };

  return {
    options,
    handle,
    files: () => [...files.values()],
    /** How many files carry this reference: exactly once is 1. */
    submissions: (reference: string) => [...files.values()].filter((f) => f.reference === reference).length,
  };
}

export type MediafinanzSandbox = ReturnType<typeof createMediafinanzSandbox>;
