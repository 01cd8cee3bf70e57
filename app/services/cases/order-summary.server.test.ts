import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Shop } from "#app/db/schema";
import { translator } from "#app/i18n/i18n";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { insertOrder, insertShop } from "#test/support/factories";

import { parseSummary } from "../../../extensions/order-collection-block/src/data";
import { cancelCase, startCase } from "./commands.server";
import { orderCaseSummary, runOrderCaseAction } from "./order-summary.server";

const staff = { type: "staff" as const, id: "shopify:42", name: null };

describe.each(testEngines())("the order screens' case summary on %s", (engine) => {
  let database: TestDatabase;
  let shop: Shop;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    shop = await insertShop(database.db);
  });
  afterAll(() => database.close());

  test("untracked orders get one line each: unknown, not on invoice, invoice without a case yet", async () => {
    const en = translator("en");
    expect(await orderCaseSummary(database.db, shop, "404", "en")).toEqual({
      tracked: false,
      reason: "unknown_order",
      text: en("orderBlock.unknownOrder"),
    });
    const card = await insertOrder(database.db, shop, { isInvoice: false, paymentMethods: ["Kreditkarte"] });
    expect(await orderCaseSummary(database.db, shop, card.platformOrderId, "en")).toMatchObject({
      reason: "not_invoice",
    });
    const notDue = await insertOrder(database.db, shop, { dueDate: "2026-12-20" });
    expect(await orderCaseSummary(database.db, shop, notDue.platformOrderId, "de")).toEqual({
      tracked: false,
      reason: "no_case",
      text: "Bestellung auf Rechnung, fällig am 20.12.2026: noch kein Mahnfall.",
    });
    for (const id of ["404", card.platformOrderId, notDue.platformOrderId])
      expect(parseSummary(await orderCaseSummary(database.db, shop, id, "en"))).not.toBeNull();
  });

  test("a case: status, amount, level and next step as the tab says them, the three latest entries newest first", async () => {
    const { case: opened } = await openTestCase(database.db, shop, { dueDate: "2026-11-20" });
    const now = new Date("2026-11-23T10:00:00Z");
    await startCase(database.db, { shopId: shop.id, caseId: opened.id, actor: staff, reason: "erster Anlauf", now });
    await cancelCase(database.db, { shopId: shop.id, caseId: opened.id, actor: staff, reason: "Irrtum", now });
    const summary = await orderCaseSummary(database.db, shop, opened.platformOrderId, "de");
    expect(summary).toMatchObject({
      tracked: true,
      caseId: opened.id,
      casePath: `/app/cases/${opened.id}`,
      status: "cancelled",
      statusText: "Gekündigt",
      tone: "neutral",
      outstandingText: "119,90\u00a0€",
      nextText: null,
      actions: [],
      reasonMax: 500,
    });
    if (!summary.tracked) throw new Error("unreachable");
    // The extension checks the answer by hand (it cannot import app code): every shape the server sends passes.
    expect(parseSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    expect(summary.timeline.map((e) => [e.title, e.actor, e.reason])).toEqual([
      ["Gekündigt", "Mitarbeiter: shopify:42", "Irrtum"],
      ["Mahnverfahren gestartet", "Mitarbeiter: shopify:42", "erster Anlauf"],
      ["Fall eröffnet: Rechnung überfällig", "Zeitplan: dunning", null],
    ]);
  });

  test("Start from the order screen: the tab's rules, a refusal in the viewer's words with the case as it is", async () => {
    const { case: opened } = await openTestCase(database.db, shop, { dueDate: "2026-11-20" });
    const act = (action: string, reason: string) =>
      runOrderCaseAction(database.db, shop, opened.platformOrderId, { action, reason, actor: staff, locale: "en" });
    expect(await act("start", "  ")).toMatchObject({
      ok: false,
      code: "reason_required",
      message: "Please enter a reason.",
      summary: { status: "waiting_for_approval", actions: ["start", "cancel"] },
    });
    expect(await act("delete", "why")).toMatchObject({ ok: false, code: "invalid" });
    const started = await act("start", "Customer asked");
    expect(started).toMatchObject({ ok: true, summary: { status: "running", actions: ["cancel"] } });
    expect(await act("start", "again")).toMatchObject({
      ok: false,
      code: "transition_not_allowed",
      message: "Not possible in the current status",
    });
    expect(
      await runOrderCaseAction(database.db, shop, "404", { action: "start", reason: "x", actor: staff, locale: "en" }),
    ).toBeNull();
    // Another shop's order is not this shop's: nothing to act on.
    const other = await insertShop(database.db);
    expect(
      await runOrderCaseAction(database.db, other, opened.platformOrderId, {
        action: "cancel",
        reason: "x",
        actor: staff,
        locale: "en",
      }),
    ).toBeNull();
  });
});
