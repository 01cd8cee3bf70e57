import { HttpResponse } from "msw";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { type CaseRow, outbox, type Shop } from "#app/db/schema";
import type { OutboxRow } from "#app/services/outbox/types";
import { updateSettings } from "#app/services/settings/settings.server";
import { wooOrder, wooStore } from "#test/mocks/woocommerce";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertCaseRow, insertOrder } from "#test/support/factories";
import { connectTestStore, TEST_ENCRYPTION_KEY } from "#test/support/woo";

import { WOO_STATUS_META_KEY, wooWriteBackHandler } from "./write-back.server";

const handler = wooWriteBackHandler({ key: () => TEST_ENCRYPTION_KEY });

describe.each(testEngines())("WooCommerce write-back on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  let caseRow: CaseRow;
  let seq = 0;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    wooStore.reset();
    ({ shop } = await connectTestStore(database.db));
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    wooStore.reset();
    caseRow = await insertCaseRow(database.db, shop);
    wooStore.addOrders(wooOrder(Number(caseRow.platformOrderId), { status: "on-hold" }));
  });

  async function row(payload: unknown): Promise<OutboxRow> {
    seq += 1;
    const [inserted] = await database.db
      .insert(outbox)
      .values({
        shopId: shop.id,
        caseId: caseRow.id,
        kind: "woocommerce.write_back",
        idempotencyKey: `wb-${seq}`,
        payload,
      })
      .returning();
    return inserted!;
  }
  const run = async (payload: unknown, attempt = 1) =>
    handler(await row(payload), { db: database.db, now: new Date(), attempt });
  const order = () => wooStore.state.orders.get(Number(caseRow.platformOrderId))!;

  test("writes the status meta and a private note in the shop's language", async () => {
    const outcome = await run({ caseId: caseRow.id, status: "handed_over", markPaid: false });
    expect(outcome).toMatchObject({ kind: "done" });
    expect(order().meta_data).toEqual([expect.objectContaining({ key: WOO_STATUS_META_KEY, value: "handed_over" })]);
    expect(wooStore.state.notes).toEqual([
      expect.objectContaining({ note: "Mahnwerk: Status „An Inkasso übergeben“", customer_note: false }),
    ]);
    expect(order().status).toBe("on-hold");
  });

  test("markPaid moves an on-hold order to processing, a pending one through set_paid", async () => {
    expect(await run({ caseId: caseRow.id, status: "paid", markPaid: true })).toMatchObject({
      kind: "done",
      result: { markedPaid: "processing" },
    });
    expect(order().status).toBe("processing");
    expect(order().date_paid_gmt).not.toBeNull();

    order().status = "pending";
    expect(await run({ caseId: caseRow.id, status: "paid", markPaid: true })).toMatchObject({
      kind: "done",
      result: { markedPaid: "set_paid" },
    });
    expect(
      wooStore.requestsTo("PUT", /^orders\/\d+$/).some((r) => (r.body as { set_paid?: boolean }).set_paid === true),
    ).toBe(true);
    expect(order().status).toBe("processing");
  });

  test("order-level: an order without a case paid by the bank is set paid with one note; not when the shop said no", async () => {
    const orderRow = await insertOrder(database.db, shop, {
      platformOrderId: String(Number(caseRow.platformOrderId) + 1),
    });
    const platformId = Number(orderRow.platformOrderId);
    wooStore.addOrders(wooOrder(platformId, { status: "on-hold" }));
    const payload = { orderId: orderRow.id, status: "paid", markPaid: true, paidBy: "bank" };
    expect(await run(payload)).toMatchObject({ kind: "done", result: { markedPaid: "processing" } });
    expect(wooStore.state.orders.get(platformId)!.status).toBe("processing");
    expect(wooStore.state.notes).toEqual([
      expect.objectContaining({ note: "Mahnwerk: per Überweisung bezahlt (Kontoauszug)", customer_note: false }),
    ]);
    // Run again (a retry after a lost answer): the order is paid already, no second note, no status meta.
    expect(await run(payload, 2)).toMatchObject({ kind: "done", result: { markedPaid: "already" } });
    expect(wooStore.state.notes).toHaveLength(1);
    expect(wooStore.state.orders.get(platformId)!.meta_data ?? []).toEqual([]);

    await updateSettings(
      database.db,
      shop.id,
      { bankMatch: { markOrderPaid: false } },
      { changedBy: "t", now: new Date() },
    );
    wooStore.state.orders.get(platformId)!.status = "on-hold";
    expect(await run(payload)).toMatchObject({ kind: "done", result: { skipped: "bankMatch.markOrderPaid is off" } });
    expect(wooStore.state.orders.get(platformId)!.status).toBe("on-hold");
    await updateSettings(
      database.db,
      shop.id,
      { bankMatch: { markOrderPaid: true } },
      { changedBy: "t", now: new Date() },
    );
  });

  test("429, 5xx and network errors retry; other 4xx fail", async () => {
    const payload = { caseId: caseRow.id, status: "running", markPaid: false };
    wooStore.fail(
      (r) => r.method === "PUT",
      () => HttpResponse.json({ code: "too_many" }, { status: 429 }),
    );
    expect(await run(payload)).toMatchObject({ kind: "retry" });
    wooStore.fail(
      (r) => r.method === "PUT",
      () => HttpResponse.json({ code: "oops" }, { status: 503 }),
    );
    expect(await run(payload)).toMatchObject({ kind: "retry" });
    wooStore.fail(
      (r) => r.method === "PUT",
      () => HttpResponse.error(),
    );
    expect(await run(payload)).toMatchObject({ kind: "retry" });
    wooStore.state.orders.clear();
    expect(await run(payload)).toMatchObject({ kind: "failed" });
    expect(wooStore.state.notes).toEqual([]);
  });

  test("a retry after the note was written does not write it twice", async () => {
    const payload = { caseId: caseRow.id, status: "blocked", markPaid: false };
    const first = await row(payload);
    expect(await handler(first, { db: database.db, now: new Date(), attempt: 1 })).toMatchObject({ kind: "done" });
    expect(await handler(first, { db: database.db, now: new Date(), attempt: 2 })).toMatchObject({ kind: "done" });
    expect(wooStore.state.notes).toHaveLength(1);
  });

  test("a payload for another shop's case or a malformed payload fails without calling the store", async () => {
    expect(
      await run({ caseId: "0b6f1c1e-8a57-4a59-9d1c-6d3f8c2a1b00", status: "paid", markPaid: false }),
    ).toMatchObject({ kind: "failed" });
    expect(await run({ caseId: caseRow.id })).toMatchObject({ kind: "failed" });
    expect(wooStore.state.requests).toEqual([]);
  });
});
