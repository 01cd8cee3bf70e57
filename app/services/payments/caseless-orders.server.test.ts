import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import type { Db } from "#app/db/client.server";
import { bankCredits, cases, orderBankPayments, outbox, type Shop } from "#app/db/schema";
import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { openCaseForOrder } from "#app/services/cases/commands.server";
import { openOverdueCases } from "#app/services/dunning/sweep.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { openCaseOf } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { camt053 } from "#test/support/statements";

import { paymentsPage } from "./payments-page.server";
import { assignCredit, importStatement, listBankCredits } from "./statement-import.server";

/*
 * Issue 29, "candidates among open cases and unpaid invoice orders of that shop": an invoice order not yet due has no
 * case, and its customer may pay it by transfer all the same. Matched by the same rules, it is recorded as paid by
 * the bank, written back to its platform, shown like every decided credit, and no case ever opens for what was paid.
 */

const NOW = new Date("2026-11-20T10:00:00Z");
const actor = { type: "staff" as const, id: "wp:7" };
const ACCOUNT = "DE89370400440532013000";

/** An invoice order due on 2026-12-01 (not yet due on NOW), of its own customer. */
const order = (db: Db, shop: Shop, name: string, person: [string, string], amountMinor: number) =>
  insertOrder(db, shop, {
    name,
    totalMinor: amountMinor,
    outstandingMinor: amountMinor,
    dueDate: "2026-12-01",
    customer: {
      platformCustomerId: `c-${name}`,
      firstName: person[0],
      lastName: person[1],
      company: null,
      email: null,
      phone: null,
      locale: "de",
    },
  });

const reference = (name: string) => formatCreditorReference(creditorReference(name)!);

describe.each(testEngines())("invoice orders without a case on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  test("paid in full before it was due: recorded, written back, listed; no case opens once it is overdue", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "vorab.example" });
    const full = await order(db, shop, "#7001", ["Nina", "Hartmann"], 8_990);
    const part = await order(db, shop, "#7002", ["Otto", "Lang"], 12_000);
    const untouched = await order(db, shop, "#7003", ["Pia", "Roth"], 4_500);
    const file = camt053({
      accountIban: ACCOUNT,
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            {
              amountMinor: 8_990,
              payerName: "Nina Hartmann",
              payerIban: "DE02120300000000202051",
              remittance: reference("#7001"),
              bankRef: "PRE-1",
            },
            {
              amountMinor: 5_000,
              payerName: "Otto Lang",
              payerIban: null,
              remittance: `${reference("#7002")} Anzahlung`,
              bankRef: "PRE-2",
            },
          ],
        },
      ],
    });
    const result = await importStatement(
      db,
      shop,
      { bytes: Buffer.from(file), name: "vorab.xml" },
      { actor, now: NOW },
    );
    expect(result).toMatchObject({ ok: true, added: 2, matched: 2, review: 0 });

    // Recorded on the orders, with who booked it; no case was opened for either.
    const payments = await db.select().from(orderBankPayments).where(eq(orderBankPayments.shopId, shop.id));
    expect(payments.map((p) => [p.orderId, p.amountMinor, p.bookingDate, p.actorId]).sort()).toEqual(
      [
        [full.id, 8_990, "2026-11-18", "wp:7"],
        [part.id, 5_000, "2026-11-18", "wp:7"],
      ].sort(),
    );
    expect(await db.$count(cases, eq(cases.shopId, shop.id))).toBe(0);

    // The order paid in full is marked paid on the store through the outbox (the order-level write-back); the part
    // payment is not written back (the order is not paid).
    const writeBacks = await db
      .select({ caseId: outbox.caseId, payload: outbox.payload })
      .from(outbox)
      .where(and(eq(outbox.shopId, shop.id), eq(outbox.kind, "woocommerce.write_back")));
    expect(writeBacks).toEqual([
      { caseId: null, payload: { orderId: full.id, status: "paid", markPaid: true, paidBy: "bank" } },
    ]);

    // Listed like every decided credit: the API and CLI list, the Payments page.
    const listed = await listBankCredits(db, shop.id, { status: "matched" });
    expect(listed.map((c) => [c.orders, c.cases]).sort()).toEqual(
      [
        [[full.id], []],
        [[part.id], []],
      ].sort(),
    );
    const page = await paymentsPage(db, shop.id);
    expect(page.decided.flatMap((c) => c.cases).sort((a, b) => a.orderName.localeCompare(b.orderName))).toEqual([
      expect.objectContaining({
        id: null,
        orderId: full.id,
        orderName: "#7001",
        outstanding: { amountMinor: 0, currency: "EUR" },
      }),
      expect.objectContaining({
        id: null,
        orderId: part.id,
        orderName: "#7002",
        outstanding: { amountMinor: 7_000, currency: "EUR" },
      }),
    ]);

    // Weeks later all three are overdue, and the platform still shows them unpaid (the write-back did not run):
    // the paid one gets no case, the part-paid one a case for the rest, the third a case for all of it.
    expect(await openOverdueCases(db, new Date("2026-12-20T10:00:00Z"))).toBe(2);
    const opened = await db.select().from(cases).where(eq(cases.shopId, shop.id));
    expect(opened.map((c) => [c.orderId, c.outstandingMinor]).sort()).toEqual(
      [
        [part.id, 7_000],
        [untouched.id, 4_500],
      ].sort(),
    );
    // And directly, as any other path would open it: refused for the paid order.
    expect(
      await openCaseForOrder(db, {
        shop,
        order: full,
        kind: "invoice",
        outstanding: { amountMinor: full.outstandingMinor, currency: "EUR" },
        dueDate: "2026-12-01",
        actor: { type: "scheduler", id: "dunning" },
        now: new Date("2026-12-20T10:00:00Z"),
        sourceId: null,
      }),
    ).toBeNull();

    // The same statement again books nothing twice.
    const again = await importStatement(db, shop, { bytes: Buffer.from(file), name: "vorab.xml" }, { actor, now: NOW });
    expect(again).toMatchObject({ ok: true, added: 0, matched: 0, known: 2 });
    expect(await db.$count(orderBankPayments, eq(orderBankPayments.shopId, shop.id))).toBe(2);
  });

  test("an order paid in full by transfer and left unpaid on the platform never keeps the sweep from later orders", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "stau.example" });
    const saved = await updateSettings(
      db,
      shop.id,
      { bankMatch: { markOrderPaid: false } },
      { changedBy: "t", now: NOW },
    );
    expect(saved.ok).toBe(true);
    await order(db, shop, "#7101", ["Nina", "Hartmann"], 8_990);
    const later = await insertOrder(db, shop, { name: "#7102", dueDate: "2026-12-02" });
    const file = camt053({
      accountIban: ACCOUNT,
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            {
              amountMinor: 8_990,
              payerName: "Nina Hartmann",
              payerIban: null,
              remittance: reference("#7101"),
              bankRef: "STAU-1",
            },
          ],
        },
      ],
    });
    const imported = await importStatement(db, shop, { bytes: Buffer.from(file), name: null }, { actor, now: NOW });
    expect(imported).toMatchObject({ ok: true, matched: 1 });
    // Batches of one: the paid order, due first, would be a whole batch that opens nothing and end the sweep there.
    expect(await openOverdueCases(db, new Date("2026-12-10T10:00:00Z"), 1)).toBe(1);
    expect((await db.select({ orderId: cases.orderId }).from(cases)).map((c) => c.orderId)).toEqual([later.id]);
  });

  test("an order without a case and an open case alike are candidates: ambiguous goes to review; staff assign the order", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "zweifel.example" });
    // Two orders of the same customer for the same amount: one overdue with its case, one not yet due.
    const overdue = await insertOrder(db, shop, {
      name: "#7101",
      totalMinor: 3_990,
      outstandingMinor: 3_990,
      customer: {
        platformCustomerId: "c-71",
        firstName: "Rosa",
        lastName: "Kern",
        company: null,
        email: null,
        phone: null,
        locale: "de",
      },
    });
    const openCase = await openCaseOf(db, shop, overdue);
    const notDue = await insertOrder(db, shop, {
      name: "#7102",
      totalMinor: 3_990,
      outstandingMinor: 3_990,
      dueDate: "2026-12-01",
      customer: {
        platformCustomerId: "c-71",
        firstName: "Rosa",
        lastName: "Kern",
        company: null,
        email: null,
        phone: null,
        locale: "de",
      },
    });
    const file = camt053({
      accountIban: ACCOUNT,
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            { amountMinor: 3_990, payerName: "Rosa Kern", payerIban: null, remittance: "Rechnung", bankRef: "AMB-1" },
          ],
        },
      ],
    });
    expect(
      await importStatement(db, shop, { bytes: Buffer.from(file), name: null }, { actor, now: NOW }),
    ).toMatchObject({ ok: true, matched: 0, review: 1 });
    const [credit] = await db.select().from(bankCredits).where(eq(bankCredits.shopId, shop.id));
    const candidates = (credit!.decision as { candidates: { orderId: string; caseId: string | null }[] }).candidates;
    expect(candidates.map((c) => [c.orderId, c.caseId]).sort()).toEqual(
      [
        [overdue.id, openCase.id],
        [notDue.id, null],
      ].sort(),
    );
    const page = await paymentsPage(db, shop.id);
    expect(page.review[0]!.candidates.map((c) => c.case.orderName).sort()).toEqual(["#7101", "#7102"]);

    // Rosa says she paid the new order: staff assign it there.
    const staff = { type: "staff" as const, id: "wp:9" };
    expect(
      await assignCredit(db, shop, { creditId: credit!.id, target: { orderId: notDue.id }, actor: staff, now: NOW }),
    ).toEqual({ ok: true });
    expect(await db.select().from(bankCredits).where(eq(bankCredits.id, credit!.id))).toEqual([
      expect.objectContaining({ status: "assigned", resolvedBy: "wp:9" }),
    ]);
    expect(await db.select().from(orderBankPayments)).toEqual([
      expect.objectContaining({ orderId: notDue.id, creditId: credit!.id, amountMinor: 3_990, actorId: "wp:9" }),
    ]);
    // The case of the other order is untouched; an order that has a case is refused as a target of its own.
    expect((await db.select().from(cases).where(eq(cases.id, openCase.id)))[0]!.outstandingMinor).toBe(3_990);
    const other = await importStatement(
      db,
      shop,
      {
        bytes: Buffer.from(
          camt053({
            accountIban: ACCOUNT,
            entries: [
              {
                bookingDate: "2026-11-19",
                credits: [{ amountMinor: 100, payerName: "X", payerIban: null, remittance: "?", bankRef: "AMB-2" }],
              },
            ],
          }),
        ),
        name: null,
      },
      { actor, now: NOW },
    );
    expect(other).toMatchObject({ review: 1 });
    const [second] = await db
      .select()
      .from(bankCredits)
      .where(and(eq(bankCredits.shopId, shop.id), eq(bankCredits.status, "review")));
    expect(
      await assignCredit(db, shop, { creditId: second!.id, target: { orderId: overdue.id }, actor: staff, now: NOW }),
    ).toMatchObject({ ok: false, error: { code: "case_not_open" } });
    expect(await db.$count(orderBankPayments)).toBe(1);
  });
});
