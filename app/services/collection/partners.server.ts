import { and, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";

import {
  type Claim,
  type ClaimCreditor,
  ClaimSchema,
  type CollectionPartner,
  type PartnerActionResult,
  type PartnerChange,
  submitClaimExactlyOnce,
} from "#adapters/partners/collection-partner";
import { createMediafinanzAdapter } from "#adapters/partners/mediafinanz/adapter";
import { MediafinanzProtocolSchema } from "#adapters/partners/mediafinanz/protocol";
import { createRivertyAdapter } from "#adapters/partners/riverty/adapter";
import { mapPartnerChange } from "#adapters/partners/status-mapping";
import { getEnv } from "#app/config/env.server";
import type { Db, DbOrTx } from "#app/db/client.server";
import { type CaseRow, cases, orders, outbox, type PartnerAccountRow, partnerAccounts, shops } from "#app/db/schema";
import { holdsClaim } from "#app/domain/case/transitions";
import { toLocalDate } from "#app/domain/dates";
import type { BaseRateTable } from "#app/domain/dunning/base-rates";
import type { Settings } from "#app/domain/settings";
import { executeCaseCommand } from "#app/services/cases/commands.server";
import { caseFromJson } from "#app/services/cases/serialization";
import { caseAmounts } from "#app/services/dunning/amounts.server";
import { loadBaseRateTableFrom } from "#app/services/dunning/base-rates.server";
import { type OrderReader, type OrderReading, platformOrderReader } from "#app/services/intake/order-reread.server";
import { applyOrderSnapshots } from "#app/services/intake/platform-events.server";
import type { OutboxHandler, OutboxOutcome, OutboxRow } from "#app/services/outbox/types";
import { getSettings } from "#app/services/settings/settings.server";
import { decryptSecret, encryptSecret, parseKey, secretPlace } from "#app/utils/crypto.server";
import { logger } from "#app/utils/logger.server";

/*
 * The collection partner of each shop: its configuration (encrypted at rest), handing a claim over exactly once
 * (from the outbox), and applying what the partner's feed reports to the cases.
 */

const creditorSchema = ClaimSchema.shape.creditor;

const rivertyConfigSchema = z.object({
  baseUrl: z.url(),
  authUrl: z.url(),
  audience: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The shop as creditor, as the partner prints it on its letters. */
  creditor: creditorSchema,
});

const mediafinanzConfigSchema = z.object({
  protocol: z.literal("mediafinanz"),
  baseUrl: z.url(),
  uuid: z.string().min(1).max(36),
  user: z.string().min(1).max(200),
  password: z.string().min(1).max(200),
  /** What mediaFinanz has not published, as the operator configured it (MEDIAFINANZ_ENDPOINTS) or the sandbox speaks it. */
  answers: MediafinanzProtocolSchema,
  creditor: creditorSchema,
});

/** Riverty's protocol (Riverty and the built-in sandbox) or mediaFinanz's; stored encrypted per shop. */
export const partnerConfigSchema = z.union([mediafinanzConfigSchema, rivertyConfigSchema]);
export type PartnerConfig = z.infer<typeof partnerConfigSchema>;
export type RivertyPartnerConfig = z.infer<typeof rivertyConfigSchema>;
export type MediafinanzPartnerConfig = z.infer<typeof mediafinanzConfigSchema>;

/**
 * Sandbox credentials are not secret (the sandbox partner prints them), so without ENCRYPTION_KEY they may be kept
 * as plain text; real partner credentials are only ever stored encrypted.
 */
/** One account per shop: its credentials are bound to the shop. */
export const partnerCredentialsPlace = (shopId: string) => secretPlace("partner_accounts", "credentials", shopId);

export function sealPartnerConfig(
  config: PartnerConfig,
  partner: PartnerAccountRow["partner"],
  shopId: string,
  key = getEnv().ENCRYPTION_KEY,
): string {
  const json = JSON.stringify(partnerConfigSchema.parse(config));
  if (key) return encryptSecret(json, parseKey(key), partnerCredentialsPlace(shopId));
  if (partner !== "sandbox" && partner !== "sandbox_mediafinanz")
    throw new Error("ENCRYPTION_KEY must be set to store a collection partner's credentials");
  return `plain:${json}`;
}

export function openPartnerConfig(stored: string, shopId: string, key = getEnv().ENCRYPTION_KEY): PartnerConfig {
  const json = stored.startsWith("plain:")
    ? stored.slice("plain:".length)
    : decryptSecret(stored, parseKey(key ?? ""), partnerCredentialsPlace(shopId));
  return partnerConfigSchema.parse(JSON.parse(json));
}

export async function savePartnerAccount(
  db: DbOrTx,
  input: {
    shopId: string;
    partner: PartnerAccountRow["partner"];
    environment: PartnerAccountRow["environment"];
    config: PartnerConfig;
  },
): Promise<PartnerAccountRow> {
  const credentials = sealPartnerConfig(input.config, input.partner, input.shopId);
  const [row] = await db
    .insert(partnerAccounts)
    .values({ shopId: input.shopId, partner: input.partner, environment: input.environment, credentials })
    .onConflictDoUpdate({
      target: partnerAccounts.shopId,
      set: { partner: input.partner, environment: input.environment, credentials, updatedAt: new Date() },
    })
    .returning();
  return row!;
}

/** The shop as creditor of its claims, from the postal address in its settings. */
export function creditorFromAddress(address: NonNullable<Settings["address"]>): ClaimCreditor {
  return {
    shopName: address.company,
    street: address.street,
    houseNumber: null,
    postalCode: address.postalCode,
    city: address.city,
    countryCode: address.countryCode,
    email: address.email,
    phone: address.phone,
  };
}

export type PartnerFactory = (account: PartnerAccountRow, config: PartnerConfig) => CollectionPartner;

/** The adapter of the protocol the account speaks; the built-in sandboxes run the real adapters. */
export const defaultPartnerFactory: PartnerFactory = (_account, config) =>
  "protocol" in config
    ? createMediafinanzAdapter(
        { baseUrl: config.baseUrl, uuid: config.uuid, user: config.user, password: config.password },
        config.answers,
      )
    : createRivertyAdapter({
        baseUrl: config.baseUrl,
        authUrl: config.authUrl,
        audience: config.audience,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
      });

async function accountOf(db: DbOrTx, shopId: string): Promise<PartnerAccountRow | null> {
  const [row] = await db.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, shopId)).limit(1);
  return row ?? null;
}

/**
 * The claim as the partner needs it, from the case, its order and its reminders: the fees the reminders charged,
 * interest from the start of default through the handover day (or the last known base rate), the flat fee offset
 * against the fees, and the day default began — the same figures as the reminders (app/domain/dunning/amounts.ts).
 */
export async function buildClaim(
  db: DbOrTx,
  caseRow: CaseRow,
  creditor: PartnerConfig["creditor"],
  options: { now?: Date; baseRates?: BaseRateTable } = {},
): Promise<ReturnType<typeof ClaimSchema.safeParse>> {
  const [order] = await db.select().from(orders).where(eq(orders.id, caseRow.orderId)).limit(1);
  const [shop] = await db.select().from(shops).where(eq(shops.id, caseRow.shopId)).limit(1);
  const settings = await getSettings(db, caseRow.shopId);
  const state = caseFromJson(caseRow.state);
  const timeZone = shop?.timezone ?? "UTC";
  const { owed, reached, debtor } = shop
    ? await caseAmounts(db, {
        shop,
        caseRow,
        order,
        settings,
        on: toLocalDate(options.now ?? new Date(), timeZone),
        baseRates: options.baseRates ?? (await loadBaseRateTableFrom(db)),
      })
    : { owed: null, reached: [], debtor: null };
  const customer = order?.customer;
  const address = order?.billingAddress;
  const company = customer?.company ?? address?.company ?? null;
  const named = Boolean(customer?.firstName?.trim() && customer?.lastName?.trim());
  const candidate: unknown = {
    // The address in the settings is the current one; the creditor stored with the credentials is the fallback.
    creditor: settings.address ? creditorFromAddress(settings.address) : creditor,
    debtor: {
      // The partner's debtor type follows the classification (docs/dunning-and-the-law.md); a consumer without a
      // name on the order stays addressable by the company they ordered for.
      type: company && (debtor?.kind === "business" || !named) ? "company" : "private",
      customerNumber: customer?.platformCustomerId ?? null,
      firstName: customer?.firstName ?? null,
      lastName: customer?.lastName ?? null,
      company,
      street: address?.street1 ?? "",
      houseNumber: null,
      postalCode: address?.postalCode ?? "",
      city: address?.city ?? "",
      countryCode: address?.countryCode ?? "",
      email: customer?.email ?? null,
      phone: customer?.phone ?? null,
      preferredLanguage: (customer?.locale ?? shop?.locale ?? "de").slice(0, 2).toLowerCase(),
    },
    orderNumber: caseRow.orderName,
    // The order name is unique per shop and what the debtor knows; the feed's changes come back under it.
    invoiceNumber: caseRow.orderName,
    invoiceDate: order ? toLocalDate(order.orderedAt, timeZone) : state.dueDate,
    dueDate: state.dueDate,
    original: state.original,
    // § 367 BGB: what is left of the principal once part payments have paid costs and interest.
    outstanding: owed?.outstanding ?? state.outstanding,
    reminders: reached.map((r) => ({
      level: r.level,
      sentAt: r.sentOn,
      fee: r.fee ?? { amountMinor: 0, currency: state.outstanding.currency },
    })),
    interest:
      owed?.interest && owed.interest.amount.amountMinor > 0
        ? {
            amount: owed.interest.amount,
            from: owed.interest.from,
            to: owed.interest.through,
            marginBp: owed.interest.marginBp,
            complete: owed.interest.complete,
          }
        : null,
    defaultFrom: owed?.defaultStart?.from ?? null,
    // § 288 Abs. 5 BGB: what the flat fee adds beyond the fees it is offset against, owed from the start of default.
    flatFee:
      owed?.flatFeeOwed && owed.defaultStart
        ? { amount: owed.flatFee, date: owed.defaultStart.from, offsetAgainstFees: true }
        : null,
    dunningOption: settings.dunningOption,
  };
  return ClaimSchema.safeParse(candidate);
}

const submitPayload = z.object({ caseId: z.uuid() });

/**
 * Outbox handler of "partner.submit_claim": exactly once, whatever crashed before. Right before the claim goes out
 * the order is read again from its platform (`readOrder`): a payment whose webhook never came must not reach a
 * collection agency. Paid or cancelled there: the handover is withdrawn and the platform's answer applied.
 */
export function submitClaimHandler(
  factory: PartnerFactory = defaultPartnerFactory,
  readOrder: OrderReader = platformOrderReader(),
): OutboxHandler {
  return async (row, { db, now, stillLeased }) => {
    const { caseId } = submitPayload.parse(row.payload);
    const [caseRow] = await db
      .select()
      .from(cases)
      .where(and(eq(cases.shopId, row.shopId), eq(cases.id, caseId)))
      .limit(1);
    if (!caseRow) return { kind: "done", result: { skipped: "case no longer exists" } };
    const state = caseFromJson(caseRow.state);
    if (!holdsClaim(state)) return { kind: "done", result: { skipped: `case is ${caseRow.status}` } };
    // Once an attempt went to the partner it may hold the claim (an answer lost on the way); from then on a payment
    // reaches it by the report the shop's payment causes, not by withdrawing here.
    const partnerTried = row.attempts > 1 && !row.lastError?.startsWith(REREAD_FAILED);
    if (caseRow.status === "handed_over" && !state.partnerReference && !partnerTried) {
      const checked = await checkOrderBeforeHandover(db, caseRow, readOrder, now, row.id);
      if (checked) return checked;
    }
    const account = await accountOf(db, row.shopId);
    if (!account) {
      await fail(
        db,
        caseRow,
        ["no_collection_partner"],
        "No collection partner is configured for this shop.",
        now,
        row.id,
      );
      return { kind: "failed", reason: "no collection partner configured" };
    }
    const config = openPartnerConfig(account.credentials, account.shopId);
    const claim = await buildClaim(db, caseRow, config.creditor, { now });
    if (!claim.success) {
      const reasons = [...new Set(claim.error.issues.map((i) => `claim_${i.path.join("_") || "invalid"}`))];
      await fail(
        db,
        caseRow,
        reasons,
        claim.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        now,
        row.id,
      );
      return { kind: "failed", reason: "the claim is incomplete" };
    }
    const partner = factory(account, config);
    const lookUp = partner.capabilities.lookupByReference;
    // Without a look-up, a send that began and whose answer never came may have arrived: a person decides.
    if (!lookUp && sendBegun(row))
      return handoverUnknown(
        db,
        caseRow,
        row.id,
        now,
        `an earlier attempt may have reached ${partner.id}; its answer never arrived`,
      );
    const result = await submitClaimExactlyOnce(partner, claim.data as Claim, {
      requestId: row.idempotencyKey,
      reference: caseRow.id,
      // Recorded (under the lease) right before the claim goes out, so a crash after it is never sent again.
      stillOwner: lookUp ? stillLeased : () => recordSendBegun(db, row, now),
    });
    switch (result.kind) {
      case "accepted":
        if (result.partnerReference)
          await claimNumberReceived(db, caseRow, result.partnerReference, account, now, row.id);
        return { kind: "done", result: { requestId: result.requestId, partnerReference: result.partnerReference } };
      case "already_submitted":
        return { kind: "done", result: { claimNumber: result.claimNumber, status: result.status, healed: true } };
      case "rejected":
        await fail(db, caseRow, result.reasons, "The collection partner refused the claim.", now, row.id);
        return { kind: "failed", reason: result.reasons.join(", ") };
      case "unknown":
        return handoverUnknown(db, caseRow, row.id, now, result.reason);
      case "retryable":
        // Nothing reached the partner (its adapter says so): the next attempt may send.
        if (!lookUp) await clearSendBegun(db, row);
        return { kind: "retry", reason: result.reason };
    }
  };
}

/** The mark a send to a partner without look-up leaves on its outbox row (kept across retries in `result`). */
const sendBegunSchema = z.object({ sendBegunAt: z.string() });

function sendBegun(row: OutboxRow): boolean {
  return sendBegunSchema.safeParse(row.result).success;
}

async function recordSendBegun(db: Db, row: OutboxRow, now: Date): Promise<boolean> {
  const marked = await db
    .update(outbox)
    .set({ result: { sendBegunAt: now.toISOString() }, updatedAt: now })
    .where(
      and(
        eq(outbox.id, row.id),
        eq(outbox.status, "in_flight"),
        row.leaseId ? eq(outbox.leaseId, row.leaseId) : sql`false`,
      ),
    )
    .returning({ id: outbox.id });
  return marked.length > 0;
}

async function clearSendBegun(db: Db, row: OutboxRow): Promise<void> {
  await db.update(outbox).set({ result: null }).where(eq(outbox.id, row.id));
}

/**
 * The claim may be at the partner, but we do not know: the case is blocked as "handover unknown" and the outbox row
 * ends here, until support enters the partner's claim number or confirms a resend (resolveHandover).
 */
async function handoverUnknown(
  db: Db,
  caseRow: CaseRow,
  outboxId: string,
  now: Date,
  reason: string,
): Promise<OutboxOutcome> {
  await executeCaseCommand(db, {
    shopId: caseRow.shopId,
    caseId: caseRow.id,
    envelope: {
      command: { type: "block", reasons: [HANDOVER_UNKNOWN] },
      actor: { type: "partner", id: "handover" },
      reason,
      occurredAt: now,
      sourceId: `handover-unknown:${outboxId}`,
    },
  });
  return { kind: "failed", reason: `handover unknown: ${reason}` };
}

export const HANDOVER_UNKNOWN = "handover_unknown";

/** The partner's claim number, known at the handover (mediaFinanz's file number): the case carries it from now on. */
async function claimNumberReceived(
  db: Db,
  caseRow: CaseRow,
  claimNumber: string,
  account: PartnerAccountRow,
  now: Date,
  sourceId: string,
) {
  const settings = await getSettings(db, caseRow.shopId);
  await executeCaseCommand(db, {
    shopId: caseRow.shopId,
    caseId: caseRow.id,
    envelope: {
      command: {
        type: "partner_status",
        subStatus: "received",
        partnerReference: claimNumber,
        dunningOption: settings.dunningOption,
      },
      actor: { type: "partner", id: account.partner },
      reason: null,
      occurredAt: now,
      sourceId: `handover-accepted:${sourceId}`,
    },
  });
}

const REREAD_FAILED = "the order could not be read again";

/** null: still owed on the platform, the claim goes out; otherwise the outcome of the outbox row. */
async function checkOrderBeforeHandover(
  db: Db,
  caseRow: CaseRow,
  readOrder: OrderReader,
  now: Date,
  outboxId: string,
): Promise<OutboxOutcome | null> {
  const [shop] = await db.select().from(shops).where(eq(shops.id, caseRow.shopId)).limit(1);
  if (!shop) return { kind: "done", result: { skipped: "shop no longer exists" } };
  let reading: OrderReading;
  try {
    reading = await readOrder(db, shop, caseRow.platformOrderId);
  } catch (error) {
    // No claim leaves while the platform cannot confirm it is unpaid; after the last retry the case is blocked.
    return {
      kind: "retry",
      reason: `${REREAD_FAILED} from ${shop.platform} before the handover: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (reading.kind === "missing") {
    await fail(
      db,
      caseRow,
      ["order_missing_on_platform"],
      `The order is no longer in ${shop.platform}; the claim was not handed over.`,
      now,
      outboxId,
    );
    return { kind: "failed", reason: "the order is no longer on the platform" };
  }
  if (reading.kind === "none" || reading.order.outstanding.amountMinor > 0) return null;
  const fresh = reading.order;
  await db.transaction(async (tx) => {
    await executeCaseCommand(tx, {
      shopId: caseRow.shopId,
      caseId: caseRow.id,
      envelope: {
        command: { type: "withdraw_handover" },
        actor: { type: "platform", id: shop.platform },
        reason: `${shop.platform} shows the order as ${fresh.financialStatus} right before the handover`,
        occurredAt: now,
        sourceId: `handover-withdrawn:${outboxId}`,
      },
    });
    await applyOrderSnapshots(tx, shop, [fresh]);
  });
  return {
    kind: "done",
    result: {
      skipped: "nothing owed on the platform right before the handover",
      financialStatus: fresh.financialStatus,
    },
  };
}

async function fail(db: Db, caseRow: CaseRow, reasons: string[], reason: string, now: Date, outboxId: string) {
  await executeCaseCommand(db, {
    shopId: caseRow.shopId,
    caseId: caseRow.id,
    envelope: {
      command: { type: "fail", reasons },
      actor: { type: "partner", id: "handover" },
      reason,
      occurredAt: now,
      sourceId: `handover-failed:${outboxId}`,
    },
  });
}

/**
 * One poll of a shop's partner feed: every change is applied to its case (idempotent by the change id), then the
 * cursor moves — so a crash in between repeats changes, which their source ids make harmless, and loses none.
 */
export async function syncPartnerFeed(
  db: Db,
  account: PartnerAccountRow,
  now: Date,
  factory: PartnerFactory = defaultPartnerFactory,
) {
  const config = openPartnerConfig(account.credentials, account.shopId);
  const partner = factory(account, config);
  if (!partner.fetchChanges) return pollClaimStatuses(db, account, partner, now);
  const fetched = await partner.fetchChanges(account.feedCursor);
  if (fetched.kind === "retryable") throw new Error(`partner feed unavailable: ${fetched.reason}`);
  const settings = await getSettings(db, account.shopId);
  let applied = 0;
  for (const change of fetched.changes) {
    const caseRow = await caseForChange(db, account.shopId, change);
    if (!caseRow) {
      logger.warn(
        { shopId: account.shopId, change: change.id, invoice: change.invoiceNumber },
        "partner change for no known case",
      );
      continue;
    }
    applied += await applyPartnerChange(db, account, caseRow, change, settings.dunningOption, null);
  }
  await db
    .update(partnerAccounts)
    .set({ feedCursor: fetched.nextCursor, feedPolledAt: now, updatedAt: now })
    .where(eq(partnerAccounts.id, account.id));
  return { changes: fetched.changes.length, applied };
}

/**
 * One partner change applied to its case: the commands it maps to, each idempotent by its source id. `source` (a
 * status's raw code and text) goes into the timeline before the mapping's note. Returns the events written.
 */
async function applyPartnerChange(
  db: Db,
  account: PartnerAccountRow,
  caseRow: CaseRow,
  change: PartnerChange,
  dunningOption: "A" | "B",
  source: string | null,
): Promise<number> {
  const state = caseFromJson(caseRow.state);
  const mapped = mapPartnerChange(change, {
    dunningOption,
    handedOver: state.handedOverAt !== null,
    outstanding: state.outstanding,
  });
  const reason = [source, mapped.note].filter(Boolean).join("; ") || null;
  let applied = 0;
  for (const { command, sourceId, occurredAt } of mapped.commands) {
    const result = await executeCaseCommand(db, {
      shopId: account.shopId,
      caseId: caseRow.id,
      envelope: { command, actor: { type: "partner", id: account.partner }, reason, occurredAt, sourceId },
    });
    if (result.ok) applied += result.events.length;
    else
      logger.info({ caseId: caseRow.id, change: change.id, refusal: result.error.code }, "partner change not applied");
  }
  return applied;
}

/** Claims asked in one poll, oldest first poll first; the rest wait for the next (every few minutes). */
const STATUS_POLL_LIMIT = 200;

/**
 * A partner without a feed (mediaFinanz): the status of each claim it holds, asked in turn. A status that means
 * something is applied like a feed change (its id is claim and code, so asking again changes nothing); the raw code
 * and text go into the case's timeline; a code not in the table is logged and the case stays handed over.
 */
async function pollClaimStatuses(db: Db, account: PartnerAccountRow, partner: CollectionPartner, now: Date) {
  if (!partner.claimStatus) return { changes: 0, applied: 0 };
  const held = await db
    .select()
    .from(cases)
    .where(
      and(
        eq(cases.shopId, account.shopId),
        eq(cases.status, "handed_over"),
        sql`${cases.partnerReference} is not null`,
      ),
    )
    .orderBy(cases.updatedAt)
    .limit(STATUS_POLL_LIMIT);
  const settings = await getSettings(db, account.shopId);
  let changes = 0;
  let applied = 0;
  for (const caseRow of held) {
    const status = await partner.claimStatus(caseRow.partnerReference!);
    if (status.kind === "retryable") throw new Error(`partner status unavailable: ${status.reason}`);
    if (status.kind === "refused") {
      // One claim the partner does not know (a mistyped number): the others are still asked.
      logger.warn(
        { shopId: account.shopId, caseId: caseRow.id, reason: status.reason },
        "partner refused a status request",
      );
      continue;
    }
    if (!status.known)
      logger.warn(
        { shopId: account.shopId, caseId: caseRow.id, code: status.code, text: status.text },
        "partner status code not in the table",
      );
    if (!status.change) continue;
    changes += 1;
    const source = `${partner.id} status ${status.code}${status.text ? ` ${status.text}` : ""}`;
    applied += await applyPartnerChange(
      db,
      account,
      caseRow,
      { ...status.change, occurredAt: now },
      settings.dunningOption,
      source,
    );
  }
  await db.update(partnerAccounts).set({ feedPolledAt: now, updatedAt: now }).where(eq(partnerAccounts.id, account.id));
  return { changes, applied };
}

async function caseForChange(db: Db, shopId: string, change: PartnerChange): Promise<CaseRow | null> {
  const keys = [];
  if (change.claimNumber) keys.push(eq(cases.partnerReference, change.claimNumber));
  if (change.invoiceNumber) keys.push(eq(cases.orderName, change.invoiceNumber));
  if (keys.length === 0) return null;
  const [row] = await db
    .select()
    .from(cases)
    .where(
      and(
        eq(cases.shopId, shopId),
        or(...keys),
        inArray(cases.status, ["handed_over", "blocked", "failed", "paid", "cancelled"]),
      ),
    )
    .orderBy(sql`${cases.partnerReference} is null`)
    .limit(1);
  return row ?? null;
}

export async function partnerAccountsToSync(db: Db): Promise<PartnerAccountRow[]> {
  return db
    .select({ account: partnerAccounts })
    .from(partnerAccounts)
    .innerJoin(shops, eq(shops.id, partnerAccounts.shopId))
    .where(eq(shops.status, "active"))
    .then((rows) => rows.map((r) => r.account));
}

const recallPayload = z.object({ caseId: z.uuid(), reason: z.string().nullable() });
const paymentPayload = z.object({
  caseId: z.uuid(),
  amount: z.object({ amountMinor: z.number().int().positive(), currency: z.string().length(3) }),
  paymentNumber: z.string().min(1),
  date: z.iso.datetime(),
});

/** The claim number the partner gave the case, or null while its confirmation has not arrived in the feed. */
async function claimOf(db: Db, shopId: string, caseId: string) {
  const [row] = await db
    .select()
    .from(cases)
    .where(and(eq(cases.shopId, shopId), eq(cases.id, caseId)))
    .limit(1);
  const [shop] = row ? await db.select().from(shops).where(eq(shops.id, shopId)).limit(1) : [];
  return row && shop ? { row, shop, claimNumber: row.partnerReference } : null;
}

/** Outbox handler of "partner.recall": the partner confirms through its feed (case cancelled then). */
export function recallHandler(factory: PartnerFactory = defaultPartnerFactory): OutboxHandler {
  return async (outboxRow, { db, now, stillLeased }) => {
    const { caseId, reason } = recallPayload.parse(outboxRow.payload);
    const found = await claimOf(db, outboxRow.shopId, caseId);
    if (!found) return { kind: "done", result: { skipped: "case no longer exists" } };
    if (!found.claimNumber) return { kind: "retry", reason: "waiting for the partner's claim number" };
    const account = await accountOf(db, outboxRow.shopId);
    if (!account) return { kind: "failed", reason: "no collection partner configured" };
    // A recall carries no key the partner dedupes on: a worker that lost the row must not send it as well.
    if (stillLeased && !(await stillLeased())) return { kind: "retry", reason: "another worker took this recall over" };
    const result = await factory(account, openPartnerConfig(account.credentials, account.shopId)).requestRecall({
      claimNumber: found.claimNumber,
      invoiceNumber: found.row.orderName,
      date: toLocalDate(now, found.shop.timezone),
      amount: null,
      reason,
    });
    return partnerOutcome(result);
  };
}

/** Outbox handler of "partner.report_payment". */
export function reportPaymentHandler(factory: PartnerFactory = defaultPartnerFactory): OutboxHandler {
  return async (outboxRow, { db }) => {
    const { caseId, amount, paymentNumber, date } = paymentPayload.parse(outboxRow.payload);
    const found = await claimOf(db, outboxRow.shopId, caseId);
    if (!found) return { kind: "done", result: { skipped: "case no longer exists" } };
    if (!found.claimNumber) return { kind: "retry", reason: "waiting for the partner's claim number" };
    const account = await accountOf(db, outboxRow.shopId);
    if (!account) return { kind: "failed", reason: "no collection partner configured" };
    const partner = factory(account, openPartnerConfig(account.credentials, account.shopId));
    // The partner takes no payment reports over its API: the shop reports it where the partner says (its portal).
    if (!partner.reportPayment)
      return {
        kind: "failed",
        reason: `${partner.id} takes no payment reports over its API; report it in the partner's portal${partner.capabilities.portal ? ` (${partner.capabilities.portal})` : ""}`,
      };
    const result = await partner.reportPayment({
      claimNumber: found.claimNumber,
      invoiceNumber: found.row.orderName,
      paymentNumber,
      amount,
      date: toLocalDate(new Date(date), found.shop.timezone),
    });
    return partnerOutcome(result);
  };
}

function partnerOutcome(result: PartnerActionResult) {
  switch (result.kind) {
    case "accepted":
      return { kind: "done" as const, result: { requestId: result.requestId } };
    case "rejected":
      return { kind: "failed" as const, reason: result.reasons.join(", ") };
    case "retryable":
      return { kind: "retry" as const, reason: result.reason };
  }
}
