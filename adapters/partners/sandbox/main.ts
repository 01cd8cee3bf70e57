// npm run sandbox-partner: the sandbox collection partner on SANDBOX_PARTNER_PORT (default 4010).
import { startSandboxPartner } from "./server";

const port = Number(process.env.SANDBOX_PARTNER_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`SANDBOX_PARTNER_PORT must be a port number, got ${process.env.SANDBOX_PARTNER_PORT}`);
  process.exit(1);
}

const sandbox = await startSandboxPartner({
  port,
  latencyMs: Number(process.env.SANDBOX_PARTNER_LATENCY_MS ?? 0),
  failureRate: Number(process.env.SANDBOX_PARTNER_FAILURE_RATE ?? 0),
  seed: Number(process.env.SANDBOX_PARTNER_SEED ?? 1),
});

process.stdout.write(
  [
    `Sandbox collection partner (Riverty Back in Flow protocol) listening on ${sandbox.url}`,
    "Use in the partner settings:",
    `  base URL       ${sandbox.url}`,
    `  token URL      ${sandbox.authUrl}`,
    `  audience       ${sandbox.credentials.audience}`,
    `  client id      ${sandbox.credentials.clientId}`,
    `  client secret  ${sandbox.credentials.clientSecret}`,
    `Scripts: debtor last name "Abgelehnt" is rejected, "Uneinbringlich" ends in insolvency; every feed poll moves each claim one step.`,
    "",
  ].join("\n"),
);

const stop = () => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
