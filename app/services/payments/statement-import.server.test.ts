import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";

import type { Db } from "#app/db/client.server";
import { bankCredits, caseEvents, cases, outbox, type Shop, statementImports } from "#app/db/schema";
import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { startCase } from "#app/services/cases/commands.server";
import { reminderHandler } from "#app/services/dunning/reminders.server";
import { sweepOutbox } from "#app/services/outbox/outbox.server";
import { openCaseOf } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";
import { camt053, mt940 } from "#test/support/statements";

import { assignCredit, dismissCredit, importStatement } from "./statement-import.server";

const NOW = new Date("2026-11-20T10:00:00Z");
const actor = { type: "staff" as const, id: "wp:7" };

async function openCase(db: Db, shop: Shop, name: string, person: [string, string], amountMinor: number) {
  const order = await insertOrder(db, shop, {
    name,
    totalMinor: amountMinor,
    outstandingMinor: amountMinor,
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
  return openCaseOf(db, shop, order, NOW);
}

describe.each(testEngines())("bank statement import on %s", (engine) => {
  let database: TestDatabase;
  afterEach(async () => database?.close());

  test("a camt.053 with an exact reference, a typo, a partial and an ambiguous credit; the same file again adds nothing", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "wollwerk.example" });
    const exact = await openCase(db, shop, "#5001", ["Anna", "Müller"], 11_990);
    const typo = await openCase(db, shop, "#5002", ["Jens", "Köhler"], 4_990);
    const partial = await openCase(db, shop, "#5003", ["Ida", "Schulz"], 20_000);
    const petra = await openCase(db, shop, "#5004", ["Petra", "Weiß"], 3_000);
    const paula = await openCase(db, shop, "#5005", ["Paula", "Weiß"], 3_000);
    // The exact case is being dunned: its next reminder already waits in the outbox.
    await startCase(db, { shopId: shop.id, caseId: exact.id, actor, reason: "Mahnlauf", now: NOW });
    await db.insert(outbox).values({
      shopId: shop.id,
      caseId: exact.id,
      kind: "reminder.send",
      idempotencyKey: `reminder:${exact.id}:reminder_2`,
      payload: { caseId: exact.id, level: "reminder_2" },
      nextAttemptAt: NOW,
    });
    const wrongDigit = creditorReference("#5002")!.replace("5002", "5092");
    const file = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            {
              amountMinor: 11_990,
              payerName: "Anna Müller",
              payerIban: "DE02120300000000202051",
              remittance: formatCreditorReference(creditorReference("#5001")!),
              bankRef: "BANK-0001",
            },
          ],
        },
        {
          bookingDate: "2026-11-19",
          credits: [
            {
              amountMinor: 4_990,
              payerName: "KOEHLER JENS",
              payerIban: null,
              remittance: wrongDigit,
              bankRef: "BANK-0002",
            },
            {
              amountMinor: 5_000,
              payerName: "Ida Schulz",
              payerIban: null,
              remittance: `${creditorReference("#5003")} erste Rate`,
              bankRef: "BANK-0003",
            },
            { amountMinor: 3_000, payerName: "Weiss", payerIban: null, remittance: "Rechnung", bankRef: "BANK-0004" },
          ],
        },
      ],
    });

    const result = await importStatement(
      db,
      shop,
      { bytes: Buffer.from(file), name: "november.xml" },
      { actor, now: NOW },
    );
    expect(result).toMatchObject({
      ok: true,
      format: "camt.053",
      credits: 4,
      added: 4,
      matched: 3,
      review: 1,
      known: 0,
    });

    const status = async (id: string) =>
      (
        await db
          .select({ status: cases.status, outstanding: cases.outstandingMinor })
          .from(cases)
          .where(eq(cases.id, id))
      )[0];
    expect(await status(exact.id)).toEqual({ status: "paid", outstanding: 0 });
    expect(await status(typo.id)).toEqual({ status: "paid", outstanding: 0 });
    expect(await status(partial.id)).toMatchObject({ outstanding: 15_000 });
    expect((await status(partial.id))!.status).not.toBe("paid");

    // The payment on the case: amount, booking date, the bank entry and why it matched.
    const [payment] = await db
      .select()
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, typo.id), eq(caseEvents.type, "payment_received")));
    expect(payment).toMatchObject({
      actorId: "wp:7",
      occurredAt: new Date("2026-11-19T12:00:00Z"),
      sourceId: expect.stringMatching(/^bank:BANK-0002(\/\d+)?:0$/),
      data: {
        amount: { amountMinor: 4_990, currency: "EUR" },
        channel: "transfer",
        bank: {
          entryId: expect.stringMatching(/^BANK-0002/),
          bookingDate: "2026-11-19",
          reasons: expect.arrayContaining(["reference_typo", "name"]),
        },
      },
    });
    expect(payment!.reason).toContain("2026-11-19");

    // Paid before the reminder went out: the reminder is not sent.
    const sent: unknown[] = [];
    const mailer = {
      send: async (mail: unknown) => (sent.push(mail), { ok: true as const, messageId: "x" }),
      close() {},
    };
    await sweepOutbox(db, { "reminder.send": reminderHandler({ mailer, mailFrom: "m@x.de" }) }, () => NOW);
    expect(sent).toEqual([]);
    const [reminder] = await db.select().from(outbox).where(eq(outbox.kind, "reminder.send"));
    expect(reminder).toMatchObject({ status: "done", result: { skipped: "case is paid" } });

    // Paid in full by the bank: the order is marked paid on the store through the outbox.
    const writeBacks = await db
      .select({ payload: outbox.payload })
      .from(outbox)
      .where(eq(outbox.kind, "woocommerce.write_back"));
    expect(writeBacks.map((w) => w.payload)).toEqual(
      expect.arrayContaining([{ caseId: exact.id, status: "paid", markPaid: true, paidBy: "bank" }]),
    );

    // Two customers named Weiß owe 30.00 €: the credit waits for a person, with both and the reasons.
    const [review] = await db.select().from(bankCredits).where(eq(bankCredits.status, "review"));
    expect(review).toMatchObject({
      entryId: expect.stringMatching(/^BANK-0004/),
      payerName: "Weiss",
      amountMinor: 3_000,
    });
    const candidates = (review!.decision as { candidates: { caseId: string; reasons: string[] }[] }).candidates;
    expect(candidates.map((c) => c.caseId).sort()).toEqual([petra.id, paula.id].sort());
    expect(candidates[0]!.reasons).toEqual(expect.arrayContaining(["amount_outstanding", "last_name"]));

    // Staff assign it to Petra's case: booked there as theirs; a second decision on it is refused.
    const staff = { type: "staff" as const, id: "wp:9" };
    expect(
      await assignCredit(db, shop, { creditId: review!.id, target: { caseId: petra.id }, actor: staff, now: NOW }),
    ).toEqual({
      ok: true,
    });
    expect(await status(petra.id)).toEqual({ status: "paid", outstanding: 0 });
    const [assigned] = await db.select().from(bankCredits).where(eq(bankCredits.id, review!.id));
    expect(assigned).toMatchObject({ status: "assigned", resolvedBy: "wp:9" });
    expect(await dismissCredit(db, shop, { creditId: review!.id, actor: staff, now: NOW })).toMatchObject({
      ok: false,
      error: { code: "not_in_review" },
    });

    // The same file again: every credit known, no case touched.
    const versions = async () =>
      (await db.select({ id: cases.id, v: cases.version }).from(cases)).sort((a, b) => a.id.localeCompare(b.id));
    const before = await versions();
    const again = await importStatement(
      db,
      shop,
      { bytes: Buffer.from(file), name: "november.xml" },
      { actor, now: NOW },
    );
    expect(again).toMatchObject({ ok: true, credits: 4, added: 0, matched: 0, review: 0, known: 4 });
    expect(await versions()).toEqual(before);
    expect(await db.$count(bankCredits)).toBe(4);
  });

  test("an MT940 statement from a German bank is read and matched the same way", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db, { platform: "woocommerce", domain: "wollwerk.example" });
    const open = await openCase(db, shop, "#6001", ["Sören", "Weiß"], 8_990);
    const file = mt940({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            {
              amountMinor: 8_990,
              payerName: "SOEREN WEISS",
              payerIban: "DE02120300000000202051",
              remittance: `Rechnung ${formatCreditorReference(creditorReference("#6001")!)} vielen Dank`,
              bankRef: "MT-1",
            },
          ],
        },
      ],
    });
    const result = await importStatement(
      db,
      shop,
      { bytes: Buffer.from(file, "latin1"), name: "umsatz.sta" },
      { actor, now: NOW },
    );
    expect(result).toMatchObject({ ok: true, format: "mt940", added: 1, matched: 1 });
    expect((await db.select({ status: cases.status }).from(cases).where(eq(cases.id, open.id)))[0]!.status).toBe(
      "paid",
    );
  });

  test("a malformed statement is refused with what is wrong, and nothing is stored", async () => {
    database = await createTestDatabase(engine);
    const { db } = database;
    const shop = await insertShop(db);
    const whole = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [{ amountMinor: 100, payerName: "A", payerIban: null, remittance: "x" }],
        },
      ],
    });
    // Cut off in the middle, as an interrupted download leaves it.
    const broken = whole.slice(0, Math.floor(whole.length / 2));
    const result = await importStatement(db, shop, { bytes: Buffer.from(broken), name: null }, { actor, now: NOW });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "invalid_statement", message: expect.stringMatching(/camt/) },
    });
    expect(await db.$count(statementImports)).toBe(0);
    const other = await importStatement(db, shop, { bytes: Buffer.from("hello"), name: null }, { actor, now: NOW });
    expect(other).toMatchObject({ ok: false, error: { code: "invalid_statement" } });
  });
});
