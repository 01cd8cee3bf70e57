import { describe, expect, test } from "vitest";

import { preStartCheck } from "./case/checks";
import { applySendWindow, DEFAULT_SCHEDULE, nextStep, plannedDates, stepInstant } from "./dunning/schedule";
import {
  checkDunningOptionChange,
  dueDateFor,
  isInvoiceOrder,
  isOverdue,
  paymentChannel,
  startsAutomatically,
} from "./policies";
import { parseSettings, SETTINGS_DEFAULTS } from "./settings";

const EUR = (amountMinor: number) => ({ amountMinor, currency: "EUR" });

describe("policies", () => {
  test("invoice orders: a configured method or payment terms, and unpaid", () => {
    const methods = SETTINGS_DEFAULTS.invoicePaymentMethods;
    expect(
      isInvoiceOrder(
        { paymentMethods: [" kauf auf rechnung "], hasPaymentTerms: false, financialStatus: "pending" },
        methods,
      ),
    ).toBe(true);
    expect(
      isInvoiceOrder({ paymentMethods: ["PayPal"], hasPaymentTerms: true, financialStatus: "partially_paid" }, methods),
    ).toBe(true);
    expect(
      isInvoiceOrder({ paymentMethods: ["Rechnung"], hasPaymentTerms: false, financialStatus: "paid" }, methods),
    ).toBe(false);
    expect(
      isInvoiceOrder({ paymentMethods: ["PayPal"], hasPaymentTerms: false, financialStatus: "pending" }, methods),
    ).toBe(false);
  });

  test("due date: the platform's, else order date + term in the shop's zone", () => {
    expect(dueDateFor({ orderedAt: new Date("2026-03-14T23:30:00Z"), platformDueAt: null }, 14, "Europe/Berlin")).toBe(
      "2026-03-29",
    );
    expect(
      dueDateFor({ orderedAt: new Date("2026-03-14T23:30:00Z"), platformDueAt: null }, 14, "America/Los_Angeles"),
    ).toBe("2026-03-28");
    expect(
      dueDateFor(
        { orderedAt: new Date("2026-03-01T10:00:00Z"), platformDueAt: new Date("2026-03-20T22:30:00Z") },
        14,
        "Asia/Tokyo",
      ),
    ).toBe("2026-03-21");
  });

  test("overdue only once the whole due day has passed where the shop is", () => {
    expect(isOverdue("2026-03-29", new Date("2026-03-29T21:59:59Z"), "Europe/Berlin")).toBe(false);
    expect(isOverdue("2026-03-29", new Date("2026-03-29T22:00:00Z"), "Europe/Berlin")).toBe(true);
    expect(isOverdue("2026-04-05", new Date("2026-04-05T11:59:00Z"), "Pacific/Auckland")).toBe(false);
    expect(isOverdue("2026-04-05", new Date("2026-04-05T12:00:00Z"), "Pacific/Auckland")).toBe(true);
  });

  test("automatic handover: off, all, or at/above a threshold in minor units; chargebacks by their own setting", () => {
    const s = SETTINGS_DEFAULTS;
    expect(startsAutomatically("invoice", EUR(1_000_000), s)).toBe(false);
    expect(startsAutomatically("invoice", EUR(1), { ...s, autoHandover: { mode: "all" } })).toBe(true);
    const t = { ...s, autoHandover: { mode: "threshold" as const, minimumMajor: 500 } };
    expect(startsAutomatically("invoice", EUR(50_000), t)).toBe(true);
    expect(startsAutomatically("invoice", EUR(49_999), t)).toBe(false);
    expect(startsAutomatically("invoice", { amountMinor: 500, currency: "JPY" }, t)).toBe(true);
    expect(startsAutomatically("chargeback", EUR(1), s)).toBe(false);
    expect(startsAutomatically("chargeback", EUR(1), { ...s, chargebackAutoHandover: true })).toBe(true);
  });

  test("dunning option lock", () => {
    const s = { ...SETTINGS_DEFAULTS, dunningOptionChangedAt: "2026-01-01T00:00:00.000Z" };
    expect(checkDunningOptionChange(s, "B", new Date("2026-01-30T23:59:59Z")).ok).toBe(false);
    expect(checkDunningOptionChange(s, "B", new Date("2026-01-31T00:00:00Z")).ok).toBe(true);
    expect(checkDunningOptionChange(s, "A", new Date("2026-01-02T00:00:00Z")).ok).toBe(true);
  });

  test("pre-start check lists every missing item; a company stands in for a name", () => {
    const empty = {
      firstName: null,
      lastName: null,
      company: null,
      street: null,
      postalCode: null,
      city: null,
      countryCode: null,
    };
    expect(preStartCheck(empty, EUR(0), ["EUR"])).toEqual([
      "missing_name",
      "missing_street",
      "missing_postal_code",
      "missing_city",
      "missing_country",
      "no_outstanding_amount",
    ]);
    expect(
      preStartCheck(
        { ...empty, company: "Holzwerk KG", street: "A 1", postalCode: "1", city: "B", countryCode: "DE" },
        EUR(1),
        ["EUR"],
      ),
    ).toEqual([]);
  });

  test("settings are validated with clear paths", () => {
    const bad = parseSettings({ sendWindow: { startHour: 20, endHour: 8, skipSundays: false } });
    expect(bad.success).toBe(false);
    expect(!bad.success && bad.error.issues[0]?.path).toEqual(["sendWindow", "endHour"]);
  });
});

describe("dunning schedule", () => {
  test("default: reminder 1 five days after due, reminder 2 ten days later, final seven later, handover seven later", () => {
    expect(plannedDates("2026-11-01", DEFAULT_SCHEDULE)).toEqual({
      reminder_1: "2026-11-06",
      reminder_2: "2026-11-16",
      final_reminder: "2026-11-23",
      handover: "2026-11-30",
    });
    expect(nextStep({ dueDate: "2026-11-01", dunningLevel: null }, DEFAULT_SCHEDULE, null)).toEqual({
      step: "reminder_1",
      date: "2026-11-06",
    });
    expect(nextStep({ dueDate: "2026-11-01", dunningLevel: "final_reminder" }, DEFAULT_SCHEDULE, "2026-11-23")).toEqual(
      { step: "handover", date: "2026-11-30" },
    );
  });

  test("steps happen at the start of the send window in the shop's zone, across DST, skipping Sundays if set", () => {
    const window = { startHour: 8, endHour: 20, skipSundays: true };
    expect(stepInstant("2026-03-30", window, "Europe/Berlin").toISOString()).toBe("2026-03-30T06:00:00.000Z");
    expect(stepInstant("2026-03-27", window, "Europe/Berlin").toISOString()).toBe("2026-03-27T07:00:00.000Z");
    // 2026-03-29 is a Sunday → Monday
    expect(stepInstant("2026-03-29", window, "Europe/Berlin").toISOString()).toBe("2026-03-30T06:00:00.000Z");
    expect(stepInstant("2026-06-01", window, "America/Los_Angeles").toISOString()).toBe("2026-06-01T15:00:00.000Z");
    expect(applySendWindow(new Date("2026-06-01T19:30:00Z"), window, "Europe/Berlin").toISOString()).toBe(
      "2026-06-02T06:00:00.000Z",
    );
    expect(applySendWindow(new Date("2026-06-01T04:00:00Z"), window, "Europe/Berlin").toISOString()).toBe(
      "2026-06-01T06:00:00.000Z",
    );
    expect(applySendWindow(new Date("2026-06-01T10:00:00Z"), window, "Europe/Berlin").toISOString()).toBe(
      "2026-06-01T10:00:00.000Z",
    );
  });
});

describe("how a payment to the shop arrived", () => {
  const invoice = ["Rechnung", "invoice"];
  test("a new online method on the order: paid through the pay-now link", () => {
    expect(paymentChannel(["Rechnung"], ["Rechnung", "shopify_payments"], invoice)).toBe("link");
    expect(paymentChannel(["invoice"], ["stripe"], invoice)).toBe("link");
  });
  test("the methods unchanged, only invoice methods, or Shopify's manual payment: recorded by the shop", () => {
    expect(paymentChannel(["invoice"], ["invoice"], invoice)).toBe("transfer");
    expect(paymentChannel(["Rechnung"], ["Rechnung", "manual"], invoice)).toBe("transfer");
    expect(paymentChannel(["Rechnung"], [" rechnung "], invoice)).toBe("transfer");
    expect(paymentChannel([], ["Rechnung"], invoice)).toBe("transfer");
  });
});
