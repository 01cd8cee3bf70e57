import { expect, test } from "vitest";

import { defaultBegins, inDefaultOn } from "./default";

test.each([
  // due date, first reminder's deadline, debtor, invoice warned consumers, first day of default, basis
  ["2026-11-01", "2026-12-07", "consumer", false, "2026-12-08", "reminder_deadline"],
  ["2026-11-01", null, "consumer", false, null, null],
  ["2026-11-01", null, "consumer", true, "2026-12-02", "thirty_days_after_due"],
  ["2026-11-01", "2026-11-20", "consumer", true, "2026-11-21", "reminder_deadline"],
  ["2026-11-01", null, "business", false, "2026-12-02", "thirty_days_after_due"],
  ["2026-11-01", "2026-12-20", "business", false, "2026-12-02", "thirty_days_after_due"],
  ["2026-02-28", null, "business", false, "2026-03-31", "thirty_days_after_due"],
] as const)(
  "due %s, first deadline %s, %s (invoice warned: %s) → in default from %s",
  (dueDate, firstDeadline, debtor, consumerInvoiceWarns, from, basis) => {
    const start = defaultBegins({ dueDate, firstDeadline, debtor, consumerInvoiceWarns });
    expect(start).toEqual(from === null ? null : { from, basis });
  },
);

test("in default from the first day on, not before", () => {
  const start = defaultBegins({
    dueDate: "2026-11-01",
    firstDeadline: "2026-12-07",
    debtor: "consumer",
    consumerInvoiceWarns: false,
  });
  expect(inDefaultOn(start, "2026-12-07")).toBe(false);
  expect(inDefaultOn(start, "2026-12-08")).toBe(true);
  expect(inDefaultOn(null, "2030-01-01")).toBe(false);
});
