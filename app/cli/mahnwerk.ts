import { readFile, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { and, asc, desc, eq } from "drizzle-orm";

import type { Db } from "#app/db/client.server";
import { outbox, shops } from "#app/db/schema";
import { CASE_STATUSES } from "#app/domain/case/status";
import { cancelCase, type CaseCommandResult, startCase } from "#app/services/cases/commands.server";
import { caseEventToJson, caseToJson } from "#app/services/cases/json";
import { listCases } from "#app/services/cases/list.server";
import { findCase, listCaseEvents } from "#app/services/cases/read.server";
import { resolveHandover } from "#app/services/collection/handover-resolution.server";
import { listDeliveries, replayDelivery } from "#app/services/intake/processor.server";
import { retryOutboxRow } from "#app/services/outbox/outbox.server";
import {
  BANK_CREDIT_STATUSES,
  importStatement,
  listBankCredits,
  MAX_STATEMENT_BYTES,
} from "#app/services/payments/statement-import.server";
import { type AccessActor, accessEntryToJson, listAccess, recordAccess } from "#app/services/privacy/access-log.server";
import {
  lastRetentionRun,
  RETENTION_RULES,
  retentionRunToJson,
  runRetention,
} from "#app/services/privacy/retention.server";
import { findShopByDomain } from "#app/services/shops/shops.server";
import { isUuid } from "#app/utils/uuid";
import { createApiToken, listApiTokens, revokeApiToken } from "#app/web/api/tokens.server";

/**
 * `mahnwerk` — support staff's command line. Same services as /api/v1. Exit 0 on success, 1 on an error
 * (one line on stderr), 2 on wrong usage (with the usage text).
 */
export const USAGE = `Usage: mahnwerk <command> [options]

  shops list [--json]
  tokens create --shop <domain> --role support|readonly [--name <label>] [--json]
  tokens list --shop <domain> [--json]
  tokens revoke <id> [--json]
  cases list --shop <domain> [--status <status>] [--q <text>] [--json]
  cases show <id> --shop <domain> [--actor <name>] [--json]
  cases start <id> --shop <domain> --reason <text> --actor <name> [--json]
  cases cancel <id> --shop <domain> --reason <text> --actor <name> [--json]
  inbox list --shop <domain> [--status received|processed|ignored|rejected|dead] [--json]
  inbox replay <id> --shop <domain> [--json]
  outbox list --shop <domain> [--status pending|in_flight|done|failed|dead] [--json]
  outbox retry <id> --shop <domain> [--json]
  outbox resolve <id> --shop <domain> (--claim-number <n> | --resend) --reason <text> --actor <name> [--json]
                                a handover whose answer never came (its case is blocked "handover_unknown"):
                                the claim number the partner's portal shows, or, if it has none, send it again
  payments import <file> --shop <domain> [--actor <name>] [--json]
                                read a bank statement (camt.053, camt.054 or MT940): each new credit is matched to
                                an open case and booked, or left for review (docs/payment-matching.md)
  payments list --shop <domain> [--status matched|review|assigned|dismissed] [--json]
  access-log list --shop <domain> [--case <id>] [--actor <name>] [--json]
                                who opened which case, letter or export (newest 100); reading it is logged too
  retention status [--json]     the last retention sweep and what each rule removed (docs/privacy.md)
  retention run [--dry-run] [--json]
                                run the retention sweep now; --dry-run only counts what it would remove
  jobs run <name> [--json]      queue a periodic job now (a worker runs it within seconds): <name> is one of
                                the scheduled jobs, e.g. dunning.sweep, outbox.sweep, partner.sync

Statuses: ${CASE_STATUSES.join(", ")}
Reading personal data (cases show, access-log list) is recorded in the shop's access log under --actor, or else
the operating-system user.
Environment: DATABASE_URL (PostgreSQL) or DATA_DIR (embedded database, default ./.data).`;

export type CliIo = { out: (text: string) => void; err: (text: string) => void };
/** The periodic jobs and a way to queue one now (loaded only by `jobs` commands: it needs the job definitions). */
export type CliJobs = { scheduled: string[]; run(name: string): Promise<string | null> };
export type CliDeps = { db: Db; now: () => Date; io: CliIo; jobs?: () => Promise<CliJobs> };

class UsageError extends Error {}
class CliError extends Error {}

const OPTIONS = {
  json: { type: "boolean" },
  shop: { type: "string" },
  role: { type: "string" },
  name: { type: "string" },
  status: { type: "string" },
  q: { type: "string" },
  reason: { type: "string" },
  actor: { type: "string" },
  case: { type: "string" },
  "dry-run": { type: "boolean" },
  "claim-number": { type: "string" },
  resend: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    deps.io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? deps.io.out : deps.io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    const output = await dispatch(positionals, values, deps);
    deps.io.out(values.json ? JSON.stringify(output.json, null, 2) : output.text);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      deps.io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CliError) {
      deps.io.err(`mahnwerk: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };
type Output = { json: unknown; text: string };

async function dispatch(positionals: string[], values: Values, deps: CliDeps): Promise<Output> {
  const [group, command, id, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`Unexpected argument: ${rest[0]}`);
  const key = `${group} ${command ?? ""}`.trim();
  const { db, now } = deps;
  switch (key) {
    case "shops list": {
      noId(id);
      const rows = await db.select().from(shops).orderBy(asc(shops.domain));
      const json = rows.map((s) => ({
        id: s.id,
        domain: s.domain,
        platform: s.platform,
        name: s.name,
        timezone: s.timezone,
        currency: s.currency,
        status: s.status,
      }));
      return { json, text: table(["id", "domain", "platform", "name", "timezone", "currency", "status"], json) };
    }
    case "tokens create": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      const role = values.role;
      if (role !== "support" && role !== "readonly") throw new UsageError("--role must be support or readonly");
      const { token, info } = await createApiToken(db, shop, { role, name: values.name });
      const json = { id: info.id, token, shop: shop.domain, role: info.role, name: info.name };
      return {
        json,
        text: `${table(["id", "shop", "role", "name"], [json])}\n\nToken (shown once, store it now):\n${token}`,
      };
    }
    case "tokens list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      const json = (await listApiTokens(db, shop.id)).map((t) => ({
        id: t.id,
        shop: shop.domain,
        role: t.role,
        name: t.name,
        createdAt: t.createdAt.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
        revokedAt: t.revokedAt?.toISOString() ?? null,
      }));
      return { json, text: table(["id", "role", "name", "createdAt", "lastUsedAt", "revokedAt"], json) };
    }
    case "tokens revoke": {
      if (!id) throw new UsageError("tokens revoke needs a token id");
      const info = await revokeApiToken(db, id, now());
      if (!info) throw new CliError(`no token with id ${id}`);
      const json = { id: info.id, revokedAt: info.revokedAt?.toISOString() ?? null };
      return { json, text: `Token ${info.id} revoked.` };
    }
    case "cases list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      if (values.status && !(CASE_STATUSES as readonly string[]).includes(values.status)) {
        throw new UsageError(`--status must be one of ${CASE_STATUSES.join(", ")}`);
      }
      const page = await listCases(db, shop.id, {
        status: values.status as (typeof CASE_STATUSES)[number] | undefined,
        q: values.q,
        sort: "created",
        direction: "desc",
        limit: 250,
      });
      const json = page.cases.map(caseToJson);
      return {
        json,
        text: table(
          ["id", "status", "order", "customer", "outstanding", "dueDate"],
          json.map((c) => ({
            ...c,
            order: c.order.name,
            customer: [c.customer.firstName, c.customer.lastName].filter(Boolean).join(" "),
            outstanding: `${c.outstanding.amountMinor} ${c.outstanding.currency} (minor units)`,
          })),
        ),
      };
    }
    case "cases show": {
      if (!id) throw new UsageError("cases show needs a case id");
      const shop = await requireShop(db, values.shop);
      const row = await findCase(db, shop.id, id);
      if (!row) throw new CliError(`no case ${id} in shop ${shop.domain}`);
      await recordAccess(db, {
        shopId: shop.id,
        actor: cliReader(values.actor),
        what: "case",
        caseId: row.id,
        at: now(),
      });
      const events = (await listCaseEvents(db, shop.id, row.id)).map(caseEventToJson);
      const json = { ...caseToJson(row), events };
      const head = table(["id", "status", "kind", "order", "dueDate"], [{ ...json, order: json.order.name }]);
      const timeline = table(
        ["occurredAt", "type", "actor", "reason"],
        events.map((e) => ({ ...e, actor: `${e.actor.type}:${e.actor.id}` })),
      );
      return { json, text: `${head}\n\n${timeline}` };
    }
    case "cases start":
    case "cases cancel": {
      if (!id) throw new UsageError(`${key} needs a case id`);
      const shop = await requireShop(db, values.shop);
      const reason = values.reason?.trim();
      if (!reason) throw new UsageError("--reason is required");
      if (reason.length > 500) throw new UsageError("--reason is at most 500 characters");
      const actorName = values.actor?.trim();
      if (!actorName) throw new UsageError("--actor is required");
      const input = {
        shopId: shop.id,
        caseId: id,
        actor: { type: "support" as const, id: actorName },
        reason,
        now: now(),
      };
      const result: CaseCommandResult = command === "start" ? await startCase(db, input) : await cancelCase(db, input);
      if (!result.ok) throw new CliError(result.error.message);
      const json = caseToJson(result.case);
      return { json, text: `Case ${json.id} is now ${json.status}.` };
    }
    case "payments import": {
      if (!id) throw new UsageError("payments import needs a statement file");
      const shop = await requireShop(db, values.shop);
      const bytes = await readStatementFile(id);
      const reader = cliReader(values.actor);
      const result = await importStatement(
        db,
        shop,
        { bytes, name: path.basename(id) },
        {
          actor: { type: "support", id: reader.id },
          now: now(),
        },
      );
      if (!result.ok) throw new CliError(`${id}: ${result.error.message}`);
      const { ok: _ok, ...json } = result;
      return {
        json,
        text: `${json.format}: ${json.credits} credits, ${json.added} new (${json.known} imported before): ${json.matched} matched, ${json.review} for review.`,
      };
    }
    case "payments list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      const status = oneOf(values.status, BANK_CREDIT_STATUSES, "--status");
      const json = await listBankCredits(db, shop.id, { status });
      return {
        json,
        text: table(
          ["id", "bookingDate", "amount", "payerName", "remittance", "status", "cases", "orders"],
          json.map((c) => ({
            ...c,
            amount: `${c.amount.amountMinor / 100} ${c.amount.currency}`,
            remittance: c.remittance.slice(0, 40),
            cases: c.cases.join(" "),
            orders: c.orders.join(" "),
          })),
        ),
      };
    }
    case "access-log list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      if (values.case !== undefined && !isUuid(values.case)) throw new UsageError("--case must be a case id");
      const entries = await listAccess(db, shop.id, { caseId: values.case });
      await recordAccess(db, {
        shopId: shop.id,
        actor: cliReader(values.actor),
        what: "access_log",
        caseId: values.case ?? null,
        at: now(),
      });
      const json = entries.map(accessEntryToJson);
      return {
        json,
        text: table(
          ["at", "channel", "actor", "what", "caseId"],
          json.map((e) => ({ ...e, actor: e.actor.name ? `${e.actor.id} (${e.actor.name})` : e.actor.id })),
        ),
      };
    }
    case "inbox list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      const status = oneOf(values.status, INBOX_STATUSES, "--status");
      const json = (await listDeliveries(db, shop, status)).map((d) => ({
        id: d.id,
        topic: d.topic,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        receivedAt: d.receivedAt.toISOString(),
      }));
      return { json, text: table(["id", "topic", "status", "attempts", "lastError", "receivedAt"], json) };
    }
    case "inbox replay": {
      if (!id) throw new UsageError("inbox replay needs a delivery id");
      const shop = await requireShop(db, values.shop);
      if (!(await replayDelivery(db, shop, id)))
        throw new CliError(`no dead, rejected or ignored delivery ${id} in shop ${shop.domain}`);
      return {
        json: { id, status: "received" },
        text: `Delivery ${id} is queued again; a worker processes it within minutes.`,
      };
    }
    case "outbox list": {
      noId(id);
      const shop = await requireShop(db, values.shop);
      const status = oneOf(values.status, OUTBOX_STATUSES, "--status");
      const rows = await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.shopId, shop.id), status ? eq(outbox.status, status) : undefined))
        .orderBy(desc(outbox.createdAt))
        .limit(250);
      const json = rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        caseId: r.caseId,
        status: r.status,
        attempts: r.attempts,
        lastError: r.lastError,
        nextAttemptAt: r.nextAttemptAt.toISOString(),
      }));
      return { json, text: table(["id", "kind", "caseId", "status", "attempts", "lastError", "nextAttemptAt"], json) };
    }
    case "outbox retry": {
      if (!id) throw new UsageError("outbox retry needs an outbox id");
      const shop = await requireShop(db, values.shop);
      if (!(await retryOutboxRow(db, shop.id, id, now())))
        throw new CliError(`no dead or failed outbox row ${id} in shop ${shop.domain}`);
      return {
        json: { id, status: "pending" },
        text: `Outbox row ${id} is tried again at the next sweep (within a minute).`,
      };
    }
    case "outbox resolve": {
      if (!id) throw new UsageError("outbox resolve needs an outbox id");
      const shop = await requireShop(db, values.shop);
      const claimNumber = values["claim-number"]?.trim();
      const resend = values.resend === true;
      if (Boolean(claimNumber) === resend) throw new UsageError("outbox resolve needs --claim-number <n> or --resend");
      const reason = values.reason?.trim();
      if (!reason) throw new UsageError("--reason is required");
      const actorName = values.actor?.trim();
      if (!actorName) throw new UsageError("--actor is required");
      const [row] = await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.shopId, shop.id), eq(outbox.id, id), eq(outbox.kind, "partner.submit_claim")));
      if (!row?.caseId) throw new CliError(`no handover ${id} in shop ${shop.domain}`);
      const result = await resolveHandover(db, {
        shopId: shop.id,
        caseId: row.caseId,
        resolution: claimNumber ? { kind: "claim_number", claimNumber } : { kind: "resend" },
        actor: { type: "support", id: actorName },
        reason,
        now: now(),
      });
      if (!result.ok) throw new CliError(result.error.message);
      const json = caseToJson(result.case);
      return {
        json,
        text: claimNumber
          ? `Case ${json.id} carries the partner's claim number ${claimNumber}; it is ${json.status}.`
          : `Case ${json.id}: the claim is sent again at the next sweep (within a minute).`,
      };
    }
    case "retention status": {
      noId(id);
      const json = retentionRunToJson(await lastRetentionRun(db));
      if (!json) return { json, text: "No retention sweep has run yet." };
      const head = `Last retention sweep: ${json.finishedAt} (started ${json.startedAt})${json.error ? `, stopped: ${json.error}` : ""}`;
      return { json, text: `${head}\n\n${retentionTable(json.removed, "removed")}` };
    }
    case "retention run": {
      noId(id);
      const dryRun = values["dry-run"] === true;
      const report = await runRetention(db, { now: now(), dryRun });
      const json = {
        dryRun,
        startedAt: report.startedAt.toISOString(),
        finishedAt: report.finishedAt.toISOString(),
        removed: report.removed,
        error: report.error,
      };
      const column = dryRun ? "would remove" : "removed";
      const text = `${dryRun ? "Dry run: nothing was changed." : "Retention sweep done."}\n\n${retentionTable(report.removed, column)}`;
      if (report.error) throw new CliError(`retention sweep stopped: ${report.error}`);
      return { json, text };
    }
    case "jobs run": {
      if (!id) throw new UsageError("jobs run needs a job name");
      if (!deps.jobs) throw new CliError("jobs cannot be queued from here");
      const jobs = await deps.jobs();
      if (!jobs.scheduled.includes(id))
        throw new UsageError(`${id} is not a periodic job; one of ${jobs.scheduled.join(", ")}`);
      const jobId = await jobs.run(id);
      const json = { name: id, jobId };
      return { json, text: `Job ${id} is queued${jobId ? ` (${jobId})` : ""}; a worker runs it within seconds.` };
    }
    default:
      throw new UsageError(`Unknown command: ${positionals.join(" ")}`);
  }
}

const INBOX_STATUSES = ["received", "processed", "ignored", "rejected", "dead"] as const;
const OUTBOX_STATUSES = ["pending", "in_flight", "done", "failed", "dead"] as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}`);
  return value as T;
}

/** Per rule: table, period and the count. */
function retentionTable(removed: Record<string, number>, column: string): string {
  return table(
    ["rule", "table", "period", column],
    RETENTION_RULES.filter((r) => r.id in removed).map((r) => ({
      rule: r.id,
      table: r.table,
      period: `${r.periodDays} days after ${r.from}`,
      [column]: removed[r.id],
    })),
  );
}

/** The statement file, refused before reading when it is larger than any statement import takes. */
async function readStatementFile(file: string): Promise<Buffer> {
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new CliError(`${file}: no such file`);
    },
  );
  if (size > MAX_STATEMENT_BYTES) throw new CliError(`${file}: larger than ${MAX_STATEMENT_BYTES / 1024 / 1024} MB`);
  return readFile(file);
}

/** Support on the server: the name given with --actor, or the operating-system user running the CLI. */
function cliReader(actor: string | undefined): AccessActor {
  const named = actor?.trim();
  if (named) return { channel: "cli", id: named };
  try {
    return { channel: "cli", id: `os:${userInfo().username}` };
  } catch {
    return { channel: "cli", id: "os:unknown" };
  }
}

function noId(id: string | undefined): void {
  if (id !== undefined) throw new UsageError(`Unexpected argument: ${id}`);
}

async function requireShop(db: Db, domain: string | undefined) {
  if (!domain) throw new UsageError("--shop <domain> is required");
  const shop = await findShopByDomain(db, domain);
  if (!shop) throw new CliError(`no shop with domain ${domain}`);
  return shop;
}

/** A plain fixed-width table for people; machines use --json. */
function table(columns: string[], rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(none)";
  const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join("\n");
}
