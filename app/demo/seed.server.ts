import { and, countDistinct, eq, inArray } from "drizzle-orm";

import type { SandboxPartner } from "#adapters/partners/sandbox/server";
import type { Db } from "#app/db/client.server";
import { cases, type OrderRow, orders, partnerAccounts, type Shop, shops } from "#app/db/schema";
import type { Actor } from "#app/domain/case/events";
import type { CaseCommand } from "#app/domain/case/transitions";
import { addDays, toLocalDate } from "#app/domain/dates";
import { cancelCase, executeCaseCommand, openCaseForOrder, startCase } from "#app/services/cases/commands.server";
import { savePartnerAccount } from "#app/services/collection/partners.server";
import { getSettings, updateSettings } from "#app/services/settings/settings.server";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";

import { demoAmountMinor, demoCustomer } from "./data";

type Plan =
  | "waiting"
  | "running_0"
  | "running_1"
  | "running_2"
  | "handed_over"
  | "handed_over_plan"
  | "blocked"
  | "paid"
  | "paid_partner"
  | "failed"
  | "cancelled"
  | "closed";

/** 36 orders, cases in every status, each reached through the same commands the product uses. */
const PLANS: Plan[] = [
  ...Array<Plan>(8).fill("waiting"),
  ...Array<Plan>(4).fill("running_0"),
  ...Array<Plan>(4).fill("running_1"),
  ...Array<Plan>(3).fill("running_2"),
  ...Array<Plan>(3).fill("handed_over"),
  ...Array<Plan>(2).fill("handed_over_plan"),
  ...Array<Plan>(2).fill("blocked"),
  ...Array<Plan>(3).fill("paid"),
  ...Array<Plan>(2).fill("paid_partner"),
  "failed",
  ...Array<Plan>(2).fill("cancelled"),
  ...Array<Plan>(2).fill("closed"),
];

const DAYS_OVERDUE: Record<Plan, number> = {
  waiting: 3,
  running_0: 8,
  running_1: 18,
  running_2: 26,
  handed_over: 45,
  handed_over_plan: 55,
  blocked: 20,
  paid: 12,
  paid_partner: 60,
  failed: 10,
  cancelled: 15,
  closed: 4,
};

const DEMO_ADDRESS = {
  company: "Demo-Shop GmbH",
  street: "Musterstraße 1",
  postalCode: "10115",
  city: "Berlin",
  countryCode: "DE",
  email: "demo@mahnwerk.local",
  phone: null,
};
/** The IBAN of the ISO 13616 / ECBS documentation example: valid check digits, nobody's account. */
const DEMO_BANK_ACCOUNT = { holder: "Demo-Shop GmbH", iban: "DE89370400440532013000", bic: "COBADEFFXXX" };

/**
 * The demo shop (German, EUR, Europe/Berlin). Idempotent: orders and cases are keyed, so a restart adds nothing
 * and changes nothing.
 */
export async function seedDemo(db: Db, now: Date): Promise<void> {
  await db
    .insert(shops)
    .values({
      platform: "demo",
      domain: DEMO_SHOP_DOMAIN,
      name: "Demo-Shop",
      timezone: "Europe/Berlin",
      currency: "EUR",
      locale: "de",
    })
    .onConflictDoNothing();
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.platform, "demo"), eq(shops.domain, DEMO_SHOP_DOMAIN)))
    .limit(1);
  if (!shop) throw new Error("demo shop missing after insert");
  // A postal address and a bank account, so the demo's reminders say where to pay and its letters and claims show a
  // sender; only on first start, so changes made on the demo's settings page survive a restart.
  if ((await getSettings(db, shop.id)).version === 0) {
    await updateSettings(
      db,
      shop.id,
      { address: DEMO_ADDRESS, bankAccount: DEMO_BANK_ACCOUNT },
      { changedBy: "demo seed", now },
    );
  }
  // A restart finds the demo in place: one count instead of each order's look-ups and commands (a second of every
  // `npm start`); a demo cut off halfway is completed.
  if ((await demoCasesPresent(db, shop.id)) === PLANS.length) return;
  const today = toLocalDate(now, shop.timezone);
  for (const [index, plan] of PLANS.entries()) {
    const dueDate = addDays(today, -DAYS_OVERDUE[plan] - (index % 3));
    const order = await upsertDemoOrder(db, shop, index, dueDate, now, plan === "failed");
    const opened = await openCaseForOrder(db, {
      shop,
      order,
      kind: index === 20 ? "chargeback" : "invoice",
      outstanding: { amountMinor: order.outstandingMinor, currency: "EUR" },
      dueDate,
      actor: { type: "scheduler", id: "dunning" },
      now: new Date(now.getTime() - (DAYS_OVERDUE[plan] - 1) * 86_400_000),
      sourceId: null,
    });
    if (!opened || !opened.ok) continue;
    await drive(db, shop, opened.case.id, plan, now);
  }
}

async function drive(db: Db, shop: Shop, caseId: string, plan: Plan, now: Date): Promise<void> {
  const staff: Actor = { type: "staff", id: "demo" };
  const scheduler: Actor = { type: "scheduler", id: "dunning" };
  const partner: Actor = { type: "partner", id: "sandbox" };
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const run = (
    command: CaseCommand,
    actor: Actor,
    days: number,
    reason: string | null = null,
    sourceId: string | null = null,
  ) =>
    executeCaseCommand(db, {
      shopId: shop.id,
      caseId,
      envelope: { command, actor, reason, occurredAt: ago(days), sourceId },
    });
  const start = () =>
    startCase(db, {
      shopId: shop.id,
      caseId,
      actor: staff,
      reason: "Freigegeben im Demo-Shop",
      now: ago(DAYS_OVERDUE[plan] - 2),
    });
  const levels = async (count: number) => {
    const names = ["reminder_1", "reminder_2", "final_reminder"] as const;
    for (let i = 0; i < count; i++)
      await run(
        {
          type: "reach_level",
          level: names[i]!,
          nextActionAt: i === count - 1 ? new Date(now.getTime() + (i + 2) * 86_400_000) : null,
        },
        scheduler,
        DAYS_OVERDUE[plan] - 5 - i * 8,
      );
  };
  switch (plan) {
    case "waiting":
      return;
    case "closed":
      await run({ type: "close" }, staff, 1, "Kunde hat Ware zurückgeschickt");
      return;
    case "failed":
      await start();
      return;
    case "cancelled":
      await start();
      await cancelCase(db, { shopId: shop.id, caseId, actor: staff, reason: "Kulanz: Stammkunde", now: ago(2) });
      return;
    case "running_0":
      await start();
      return;
    case "running_1":
      await start();
      await levels(1);
      return;
    case "running_2":
      await start();
      await levels(2);
      return;
    case "blocked":
      await start();
      await levels(1);
      await run(
        { type: "block", reasons: ["dispute_open"], stream: `dispute:${caseId}` },
        { type: "platform", id: "shopify" },
        3,
        "Rückbuchung eröffnet",
        `dispute-${caseId}`,
      );
      return;
    case "paid":
      await start();
      await levels(1);
      await run(
        {
          type: "payment",
          amount: { amountMinor: (await orderOf(db, caseId)).outstandingMinor, currency: "EUR" },
          side: "shop",
        },
        { type: "platform", id: "demo" },
        1,
        null,
        `pay-${caseId}`,
      );
      return;
    case "handed_over":
    case "handed_over_plan":
    case "paid_partner": {
      await start();
      await levels(3);
      await run({ type: "hand_over", partnerReference: `DE-S${caseId.slice(0, 8).toUpperCase()}` }, scheduler, 20);
      await run(
        { type: "partner_status", subStatus: "contacted", partnerReference: null, dunningOption: "A" },
        partner,
        18,
        null,
        `p1-${caseId}`,
      );
      if (plan === "handed_over") return;
      await run(
        { type: "partner_status", subStatus: "payment_plan", partnerReference: null, dunningOption: "A" },
        partner,
        12,
        "Ratenzahlung vereinbart",
        `p2-${caseId}`,
      );
      if (plan === "handed_over_plan") return;
      await run(
        {
          type: "payment",
          amount: { amountMinor: (await orderOf(db, caseId)).outstandingMinor, currency: "EUR" },
          side: "partner",
        },
        partner,
        2,
        null,
        `pp-${caseId}`,
      );
      return;
    }
  }
}

/** How many of the demo's orders have their case. */
async function demoCasesPresent(db: Db, shopId: string): Promise<number> {
  const ids = PLANS.map((_, index) => demoOrderId(index));
  const [row] = await db
    .select({ n: countDistinct(cases.orderId) })
    .from(cases)
    .innerJoin(orders, eq(orders.id, cases.orderId))
    .where(and(eq(orders.shopId, shopId), inArray(orders.platformOrderId, ids)));
  return row?.n ?? 0;
}

const demoOrderId = (index: number) => String(820_001 + index);

async function orderOf(db: Db, caseId: string): Promise<OrderRow> {
  const [row] = await db
    .select({ order: orders })
    .from(cases)
    .innerJoin(orders, eq(orders.id, cases.orderId))
    .where(eq(cases.id, caseId))
    .limit(1);
  return row!.order;
}

async function upsertDemoOrder(
  db: Db,
  shop: Shop,
  index: number,
  dueDate: string,
  now: Date,
  incompleteAddress: boolean,
): Promise<OrderRow> {
  const customer = demoCustomer(index);
  const amount = demoAmountMinor(index);
  const orderedAt = new Date(Date.parse(`${addDays(dueDate, -14)}T09:30:00Z`));
  await db
    .insert(orders)
    .values({
      shopId: shop.id,
      platformOrderId: demoOrderId(index),
      name: `#${1001 + index}`,
      currency: "EUR",
      totalMinor: amount,
      outstandingMinor: amount,
      financialStatus: "pending",
      paymentMethods: ["Rechnung"],
      isInvoice: true,
      orderedAt,
      dueDate,
      platformUpdatedAt: orderedAt,
      customer: {
        platformCustomerId: String(7_000 + index),
        firstName: customer.firstName,
        lastName: customer.lastName,
        company: customer.company,
        email: customer.email,
        phone: null,
        locale: "de",
        vatId: customer.vatId,
      },
      billingAddress: {
        name: `${customer.firstName} ${customer.lastName}`,
        company: customer.company,
        street1: incompleteAddress ? null : customer.street,
        street2: null,
        postalCode: incompleteAddress ? null : customer.postalCode,
        city: customer.city,
        countryCode: "DE",
      },
      createdAt: now,
    })
    .onConflictDoNothing();
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shop.id), eq(orders.platformOrderId, demoOrderId(index))))
    .limit(1);
  return order!;
}

/** Points the demo shop at a running sandbox partner (its URL changes with every start). */
/**
 * The demo shop's partner is the sandbox this process started: the protocol staff chose stays (its endpoints are
 * the new process's), a new demo gets DEMO_PARTNER's, and a real partner staff configured is left alone.
 */
export async function connectDemoPartner(db: Db, sandbox: SandboxPartner, firstProtocol: "riverty" | "mediafinanz") {
  const [shop] = await db
    .select()
    .from(shops)
    .where(and(eq(shops.platform, "demo"), eq(shops.domain, DEMO_SHOP_DOMAIN)))
    .limit(1);
  if (!shop) return;
  const [account] = await db.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, shop.id)).limit(1);
  if (account && account.partner !== "sandbox" && account.partner !== "sandbox_mediafinanz") return;
  const mediafinanz = account ? account.partner === "sandbox_mediafinanz" : firstProtocol === "mediafinanz";
  const creditor = {
    shopName: shop.name,
    street: DEMO_ADDRESS.street,
    houseNumber: null,
    postalCode: DEMO_ADDRESS.postalCode,
    city: DEMO_ADDRESS.city,
    countryCode: DEMO_ADDRESS.countryCode,
    email: DEMO_ADDRESS.email,
    phone: null,
  };
  const { sandbox: _engine, ...mediafinanzEndpoints } = sandbox.mediafinanz;
  await savePartnerAccount(db, {
    shopId: shop.id,
    partner: mediafinanz ? "sandbox_mediafinanz" : "sandbox",
    environment: "sandbox",
    config: mediafinanz
      ? { protocol: "mediafinanz", ...mediafinanzEndpoints, creditor }
      : { baseUrl: sandbox.url, authUrl: sandbox.authUrl, ...sandbox.credentials, creditor },
  });
}
