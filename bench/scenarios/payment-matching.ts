/**
 * Payment matching (issue: "on a generated statement of 10,000 credits against 10,000 open cases, automatic matches
 * for at least 95 % of the credits that have a true case, zero wrong automatic matches, the rest in review; import and
 * matching of that file in under 10 s on this machine, memory bounded").
 *
 * 10,000 open invoice cases (BENCH_PAYMENT_CASES; `--quick`: 1,000) and the credits a shop's account receives for them
 * come from test/support/payment-scenarios.ts (exact references, typos, order numbers, names in other spellings,
 * combined and partial payments, strangers' money of the same amounts), written as one camt.053 by
 * test/support/statements.ts and imported with the real `importStatement`: parse, store, match, book. Each credit's
 * outcome is then compared with the truth the generator kept.
 *
 * Baseline in the same run: the same credits inserted by raw PostgreSQL (one multi-row INSERT per 500 into a plain
 * table of the same columns), so the import's cost is also given as a multiple of merely storing the rows.
 */
import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";

import { bankCredits, cases, orders, shops } from "#app/db/schema";
import { applyEvent } from "#app/domain/case/events";
import { openCase } from "#app/domain/case/open";
import { caseToJson } from "#app/services/cases/serialization";
import { importStatement } from "#app/services/payments/statement-import.server";
import { paymentScenario } from "#test/support/payment-scenarios";
import { camt053 } from "#test/support/statements";

import { goalAtLeast, goalAtMost, timed, withBenchDatabase } from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

const NAME = "payment-matching";
const CHUNK = 500;

const scenario: BenchScenario = {
  name: NAME,
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const size = Number(process.env.BENCH_PAYMENT_CASES ?? (ctx.quick ? 1_000 : 10_000));
    return withBenchDatabase(ctx, NAME, async ({ database, sql }) => {
      const { db } = database;
      const [shop] = await db
        .insert(shops)
        .values({
          platform: "woocommerce",
          domain: "https://bank.example.de",
          name: "Bank-Shop",
          timezone: "Europe/Berlin",
          currency: "EUR",
          locale: "de",
        })
        .returning();
      const { invoices, credits } = paymentScenario(size);
      const orderIdByName = new Map<string, string>();
      const opened = new Date("2026-11-01T08:00:00Z");
      for (let i = 0; i < invoices.length; i += CHUNK) {
        const slice = invoices.slice(i, i + CHUNK).map((inv) => ({ inv, orderId: randomUUID(), caseId: randomUUID() }));
        await db.insert(orders).values(
          slice.map(({ inv, orderId }) => {
            const [firstName, lastName] = inv.names[0]!.split(" ");
            return {
              id: orderId,
              shopId: shop!.id,
              platformOrderId: inv.orderName.slice(1),
              name: inv.orderName,
              currency: "EUR",
              totalMinor: inv.outstandingMinor,
              outstandingMinor: inv.outstandingMinor,
              financialStatus: "pending",
              paymentMethods: ["Rechnung"],
              isInvoice: true,
              orderedAt: opened,
              dueDate: "2026-10-15",
              platformUpdatedAt: opened,
              customer: {
                platformCustomerId: inv.customerKey,
                firstName: firstName!,
                lastName: lastName!,
                company: null,
                email: null,
                phone: null,
                locale: "de",
              },
              billingAddress: null,
            };
          }),
        );
        await db.insert(cases).values(
          slice.map(({ inv, orderId, caseId }) => {
            const money = { amountMinor: inv.outstandingMinor, currency: "EUR" };
            const state = applyEvent(
              null,
              openCase({
                caseId,
                shopId: shop!.id,
                orderId,
                kind: "invoice",
                original: money,
                outstanding: money,
                dueDate: "2026-10-15",
                actor: { type: "scheduler", id: "dunning" },
                occurredAt: opened,
                sourceId: null,
              }),
            );
            const [firstName, lastName] = inv.names[0]!.split(" ");
            return {
              id: caseId,
              shopId: shop!.id,
              orderId,
              kind: "invoice" as const,
              status: state.status,
              currency: "EUR",
              originalMinor: inv.outstandingMinor,
              outstandingMinor: inv.outstandingMinor,
              dueDate: "2026-10-15",
              platformOrderId: inv.orderName.slice(1),
              orderName: inv.orderName,
              customerFirstName: firstName!,
              customerLastName: lastName!,
              state: caseToJson(state),
              createdAt: opened,
            };
          }),
        );
        for (const { inv, orderId } of slice) orderIdByName.set(inv.orderId, orderId);
      }
      ctx.log(`${invoices.length} open cases, ${credits.length} credits`);

      const entries = credits.map((c, i) => ({
        bookingDate: "2026-11-20",
        credits: [
          {
            amountMinor: c.amountMinor,
            payerName: c.payerName,
            payerIban: c.payerIban,
            remittance: c.remittance,
            creditorReference: c.creditorReference,
            bankRef: `BENCH-${i}`,
          },
        ],
      }));
      const file = Buffer.from(camt053({ accountIban: "DE89370400440532013000", entries }));
      const heapBefore = process.memoryUsage().rss;
      let peak = heapBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const run = await timed(() =>
        importStatement(
          db,
          shop!,
          { bytes: file, name: "bench.xml" },
          { actor: { type: "staff", id: "bench" }, now: new Date() },
        ),
      );
      clearInterval(sampler);
      if (!run.result.ok) throw new Error(`import refused: ${run.result.error.message}`);

      // Outcome per credit against the truth.
      const rows = await db
        .select({ entryId: bankCredits.entryId, status: bankCredits.status, decision: bankCredits.decision })
        .from(bankCredits)
        .where(eq(bankCredits.shopId, shop!.id));
      const byEntry = new Map(rows.map((r) => [r.entryId, r]));
      let truthful = 0;
      let automatic = 0;
      let wrong = 0;
      let review = 0;
      credits.forEach((c, i) => {
        const row = byEntry.get(`BENCH-${i}`);
        if (c.truth.length > 0) truthful++;
        if (!row || row.status !== "matched") {
          review++;
          return;
        }
        const got = ((row.decision as { allocations: { orderId: string }[] }).allocations ?? [])
          .map((a) => a.orderId)
          .sort();
        const want = c.truth.map((t) => orderIdByName.get(t)!).sort();
        if (JSON.stringify(got) === JSON.stringify(want)) automatic++;
        else wrong++;
      });

      // Raw PostgreSQL: the same credits merely stored.
      await sql`create table bench_raw_credits (entry_id text primary key, amount_minor bigint, payer_name text, remittance text)`;
      const raw = await timed(async () => {
        for (let i = 0; i < credits.length; i += CHUNK) {
          const slice = credits.slice(i, i + CHUNK).map((c, k) => ({
            entry_id: `BENCH-${i + k}`,
            amount_minor: c.amountMinor,
            payer_name: c.payerName,
            remittance: c.remittance,
          }));
          await sql`insert into bench_raw_credits ${sql(slice)}`;
        }
      });

      const seconds = run.ms / 1000;
      const note = `${credits.length} credits against ${invoices.length} cases (file ${(file.length / 1024 / 1024).toFixed(1)} MB)`;
      return [
        goalAtLeast(
          {
            scenario: NAME,
            metric: "automatic of payers' credits",
            value: Math.round((automatic / truthful) * 1000) / 10,
            unit: "%",
            note: `${automatic} of ${truthful}`,
          },
          95,
        ),
        goalAtMost({ scenario: NAME, metric: "wrong automatic matches", value: wrong, unit: "" }, 0, "0"),
        {
          scenario: NAME,
          metric: "left for review",
          value: review,
          unit: "credits",
          note: `${credits.length - truthful} of them strangers' money`,
        },
        goalAtMost(
          { scenario: NAME, metric: "import and matching", value: Math.round(seconds * 10) / 10, unit: "s", note },
          10,
          "< 10 s",
        ),
        {
          scenario: NAME,
          metric: "import vs raw INSERT of the rows",
          value: Math.round((run.ms / raw.ms) * 10) / 10,
          unit: "x",
          note: `raw ${Math.round(raw.ms)} ms`,
        },
        {
          scenario: NAME,
          metric: "memory during import (RSS growth)",
          value: Math.round((peak - heapBefore) / 1024 / 1024),
          unit: "MB",
        },
      ];
    });
  },
};

export default scenario;
