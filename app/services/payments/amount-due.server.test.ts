import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import type { Db } from "#app/db/client.server";
import { bankCredits, cases, type Shop } from "#app/db/schema";
import { executeCaseCommand, startCase } from "#app/services/cases/commands.server";
import { findCase } from "#app/services/cases/read.server";
import { loadBaseRateTableFrom } from "#app/services/dunning/base-rates.server";
import { composeReminder } from "#app/services/dunning/reminders.server";
import { openCaseOf } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { camt053 } from "#test/support/statements";

import { importStatement } from "./statement-import.server";

/*
 * Issue 29, "the amount (outstanding, or due with fees and interest)": a transfer of exactly the total the last
 * reminder stated (fees, statutory interest, a business's flat fee where the shop claims it) is matched by its amount, even when it is
 * booked days after the reminder (interest ran on meanwhile) and a payment came between.
 */

const actor = { type: "staff" as const, id: "wp:7" };
const scheduler = { type: "scheduler" as const, id: "dunning" };

/** An overdue order (a business with a VAT id, or a consumer) with two reminders sent, in a half-year of known base rates. */
async function remindedCase(
  db: Db,
  shop: Shop,
  name: string,
  person: [string, string],
  company: string,
  vatId: string | null,
) {
  const order = await insertOrder(db, shop, {
    name,
    totalMinor: 50_000,
    outstandingMinor: 50_000,
    dueDate: "2026-02-02",
    customer: {
      platformCustomerId: `c-${name}`,
      firstName: person[0],
      lastName: person[1],
      company,
      email: null,
      phone: null,
      locale: "de",
      vatId,
    },
  });
  const opened = await openCaseOf(db, shop, order, new Date("2026-02-03T08:00:00Z"));
  await startCase(db, {
    shopId: shop.id,
    caseId: opened.id,
    actor,
    reason: "Mahnlauf",
    now: new Date("2026-02-04T08:00:00Z"),
  });
  const reach = (level: "reminder_1" | "reminder_2", at: string, deadline: string) =>
    executeCaseCommand(db, {
      shopId: shop.id,
      caseId: opened.id,
      envelope: {
        command: {
          type: "reach_level",
          level,
          nextActionAt: null,
          paymentDeadline: deadline,
          fee: { amountMinor: 500, currency: "EUR" },
        },
        actor: scheduler,
        reason: null,
        occurredAt: new Date(at),
      },
    });
  await reach("reminder_1", "2026-03-02T08:00:00Z", "2026-03-09");
  await reach("reminder_2", "2026-04-06T08:00:00Z", "2026-04-13");
  return { order, caseId: opened.id };
}

/** The total the reminder e-mail of that level states, as the reminder handler composes it on the day it is sent. */
async function statedTotal(db: Db, shop: Shop, caseId: string, order: Awaited<ReturnType<typeof insertOrder>>) {
  const composed = await composeReminder(db, {
    shop,
    caseRow: (await findCase(db, shop.id, caseId))!,
    order,
    level: "reminder_2",
    now: new Date("2026-04-06T09:00:00Z"),
    mailFrom: "mahnwerk@example.de",
    baseRates: () => loadBaseRateTableFrom(db),
  });
  if (!composed.ok) throw new Error(composed.reason);
  return composed.amounts;
}

describe.each(testEngines())("amount due with interest on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  test("the total a reminder stated, with interest, matches by amount weeks later; so does the rest after a part payment", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "zinsen.example" });
    const first = await remindedCase(db, shop, "#8101", ["Karl", "Brenner"], "Brenner Metallbau GmbH", "DE123456789");
    const second = await remindedCase(db, shop, "#8102", ["Lena", "Vogt"], "Vogt Design GmbH", null);
    const stated = await statedTotal(db, shop, first.caseId, first.order);
    // More than outstanding plus fees: the interest of the default is in it (nine points over the base rate here).
    expect(stated.interest.amountMinor).toBeGreaterThan(0);
    expect(stated.total.amountMinor).toBe(50_000 + 1_000 + stated.interest.amountMinor);
    const secondStated = await statedTotal(db, shop, second.caseId, second.order);
    expect(secondStated.interest.amountMinor).toBeGreaterThan(0);

    // Lena paid 100 € on the platform after the reminder: the rest of what it demanded is what she transfers later.
    await executeCaseCommand(db, {
      shopId: shop.id,
      caseId: second.caseId,
      envelope: {
        command: { type: "payment", amount: { amountMinor: 10_000, currency: "EUR" }, side: "shop" },
        actor: { type: "platform", id: "woocommerce" },
        reason: null,
        occurredAt: new Date("2026-04-10T10:00:00Z"),
        sourceId: "order-payment:1",
      },
    });

    // No reference, no order number: only the payer's name and the amount point at each case.
    const file = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-04-28",
          credits: [
            {
              amountMinor: stated.total.amountMinor,
              payerName: "Brenner Metallbau GmbH",
              payerIban: null,
              remittance: "Mahnung vom 6.4.",
              bankRef: "INT-1",
            },
            {
              amountMinor: secondStated.total.amountMinor - 10_000,
              payerName: "VOGT LENA",
              payerIban: null,
              remittance: "Restzahlung",
              bankRef: "INT-2",
            },
          ],
        },
      ],
    });
    const result = await importStatement(
      db,
      shop,
      { bytes: Buffer.from(file), name: "zinsen.xml" },
      { actor, now: new Date("2026-04-29T08:00:00Z") },
    );
    expect(result).toMatchObject({ ok: true, added: 2, matched: 2, review: 0 });
    const credits = await db.select().from(bankCredits).where(eq(bankCredits.shopId, shop.id));
    expect(credits).toHaveLength(2);
    for (const credit of credits) {
      expect(credit).toMatchObject({
        status: "matched",
        decision: { kind: "auto", coverage: "full", reasons: expect.arrayContaining(["amount_due"]) },
      });
    }
    for (const { caseId } of [first, second]) {
      const [row] = await db
        .select({ status: cases.status })
        .from(cases)
        .where(and(eq(cases.shopId, shop.id), eq(cases.id, caseId)));
      expect(row!.status).toBe("paid");
    }
  });
});
