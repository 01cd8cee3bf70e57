// npm run sandbox-partner: the sandbox collection partner on SANDBOX_PARTNER_PORT (default 4010).
import { z } from "zod";

import { startSandboxPartner } from "./server";

// A program of its own (no app environment): its settings checked here, a bad value named instead of guessed.
const number = (min: number, max: number, fallback: number) => z.coerce.number().min(min).max(max).default(fallback);
const parsed = z
  .object({
    SANDBOX_PARTNER_PORT: number(0, 65_535, 4010).pipe(z.number().int()),
    SANDBOX_PARTNER_LATENCY_MS: number(0, 60_000, 0),
    SANDBOX_PARTNER_FAILURE_RATE: number(0, 1, 0),
    SANDBOX_PARTNER_SEED: number(0, Number.MAX_SAFE_INTEGER, 1).pipe(z.number().int()),
    /** Handovers carried out whose answer is then dropped (the connection closes): the lost-answer fault. */
    SANDBOX_PARTNER_LOSE_ANSWERS: number(0, 1_000, 0).pipe(z.number().int()),
    /** mediaFinanz protocol: what a second claim with a known ClientCustomerRefNo gets (mediaFinanz has not said). */
    SANDBOX_PARTNER_DUPLICATES: z.enum(["accept", "reject", "existing"]).default("accept"),
    /** mediaFinanz protocol: access errors as HTTP 400 (as documented) or 401. */
    SANDBOX_PARTNER_ACCESS_ERROR_STATUS: z.enum(["400", "401"]).default("400"),
  })
  .safeParse(
    Object.fromEntries(
      Object.entries(process.env).filter(([key, value]) => key.startsWith("SANDBOX_PARTNER_") && value !== ""),
    ),
  );
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
  process.exit(1);
}
const env = parsed.data;
const protocolFlag = process.argv.indexOf("--protocol");
const protocol = protocolFlag >= 0 ? process.argv[protocolFlag + 1] : "riverty";
if (protocol !== "riverty" && protocol !== "mediafinanz") {
  console.error(`--protocol: must be riverty or mediafinanz, not ${protocol ?? "nothing"}`);
  process.exit(1);
}

const sandbox = await startSandboxPartner({
  port: env.SANDBOX_PARTNER_PORT,
  latencyMs: env.SANDBOX_PARTNER_LATENCY_MS,
  failureRate: env.SANDBOX_PARTNER_FAILURE_RATE,
  seed: env.SANDBOX_PARTNER_SEED,
  mediafinanz: {
    duplicates: env.SANDBOX_PARTNER_DUPLICATES,
    accessErrorStatus: env.SANDBOX_PARTNER_ACCESS_ERROR_STATUS === "401" ? 401 : 400,
  },
});
sandbox.loseNextAnswers(env.SANDBOX_PARTNER_LOSE_ANSWERS);

const riverty = [
  `Sandbox collection partner (Riverty Back in Flow protocol) listening on ${sandbox.url}`,
  "Use in the partner settings:",
  `  base URL       ${sandbox.url}`,
  `  token URL      ${sandbox.authUrl}`,
  `  audience       ${sandbox.credentials.audience}`,
  `  client id      ${sandbox.credentials.clientId}`,
  `  client secret  ${sandbox.credentials.clientSecret}`,
  `Scripts: debtor last name "Abgelehnt" is rejected, "Uneinbringlich" ends in insolvency; every feed poll moves each claim one step.`,
];
const mediafinanz = [
  `Sandbox collection partner (mediaFinanz REST protocol) listening on ${sandbox.mediafinanz.baseUrl}`,
  "Use in MEDIAFINANZ_ENDPOINTS and the partner settings:",
  `  MEDIAFINANZ_ENDPOINTS='${JSON.stringify({ sandbox: { baseUrl: sandbox.mediafinanz.baseUrl, answers: sandbox.mediafinanz.answers } })}'`,
  `  client UUID    ${sandbox.mediafinanz.uuid}`,
  `  user           ${sandbox.mediafinanz.user}`,
  `  password       ${sandbox.mediafinanz.password}`,
  `Scripts: debtor last name "Abgelehnt" is refused, "Uneinbringlich" ends uncollectible; every status request moves a claim one step.`,
];
process.stdout.write([...(protocol === "mediafinanz" ? mediafinanz : riverty), ""].join("\n"));

const stop = () => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
