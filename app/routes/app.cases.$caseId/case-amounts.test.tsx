// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";

import { intlLocale, type Locale, translator } from "#app/i18n/i18n";
import { formatMinor } from "#app/utils/format";
import { renderInTab } from "#test/support/render";

import { CaseAmounts } from "./case-amounts";
import type { CaseView } from "./case-data";

afterEach(cleanup);

/** A case in default since February: fees, interest at 9 points through today, the flat fee; the next step planned. */
const owing: CaseView = {
  id: "case-1",
  kind: "invoice",
  status: "running",
  orderName: "#1001",
  currency: "EUR",
  originalMinor: 11_990,
  outstandingMinor: 11_990,
  overpaymentMinor: 0,
  dueDate: "2026-01-31",
  dunningLevel: "reminder_2",
  nextActionAt: "2026-03-10T07:00:00.000Z",
  partnerReference: null,
  partnerSubStatus: null,
  cancellationRequested: false,
  feesMinor: 250,
  interestMinor: 123,
  interest: { from: "2026-02-01", through: "2026-03-02", complete: true, marginBp: 900 },
  defaultFrom: "2026-02-01",
  paymentDeadline: null,
  flatFeeMinor: 4_000,
  totalMinor: 16_363,
  failureReasons: [],
  blockReasons: [],
};

const dates = {
  de: { from: "01.02.2026", through: "02.03.2026", due: "31.01.2026", next: "10.03.2026, 08:00" },
  en: { from: "01/02/2026", through: "02/03/2026", due: "31/01/2026", next: "10 Mar 2026, 08:00" },
};

describe.each(["de", "en"] as Locale[])("case amounts in %s", (locale) => {
  const t = translator(locale);
  const money = (minor: number) => formatMinor(minor, "EUR", intlLocale(locale));
  const d = dates[locale];
  const interestLabel = t("case.interest.period", { from: d.from, through: d.through, points: 9 });
  // A Field is its label over its value.
  const valueOf = (label: string) => screen.getByText(label).nextElementSibling?.textContent;

  test("shows each amount and date that applies under its label, in the page's language", () => {
    renderInTab(<CaseAmounts c={owing} timezone="Europe/Berlin" />, locale);
    expect(valueOf(t("case.original"))).toBe(money(11_990));
    expect(valueOf(t("case.fees"))).toBe(money(250));
    expect(valueOf(interestLabel)).toBe(money(123));
    expect(valueOf(t("case.flatFee"))).toBe(money(4_000));
    expect(valueOf(t("case.total"))).toBe(money(16_363));
    expect(valueOf(t("case.defaultFrom"))).toBe(d.from);
    expect(valueOf(t("case.dueDate"))).toBe(d.due);
    expect(valueOf(t("case.level"))).toBe(t("level.reminder_2"));
    expect(valueOf(t("case.nextAction"))).toBe(d.next);
    expect(screen.queryByText(t("case.paymentDeadline"))).toBeNull();
    expect(screen.queryByText(t("case.overpayment"))).toBeNull();
  });

  test("interest not yet complete says more is owed, or that its amount follows; nothing extra owed, no total", () => {
    const pending = { ...owing.interest!, complete: false };
    const { unmount } = renderInTab(<CaseAmounts c={{ ...owing, interest: pending }} timezone="UTC" />, locale);
    expect(valueOf(interestLabel)).toBe(`${money(123)} ${t("case.interest.more")}`);
    unmount();

    const bare = { ...owing, interest: pending, interestMinor: 0, feesMinor: 0, flatFeeMinor: 0, totalMinor: 11_990 };
    renderInTab(<CaseAmounts c={{ ...bare, dunningLevel: null, nextActionAt: null }} timezone="UTC" />, locale);
    expect(valueOf(interestLabel)).toBe(t("case.interest.pending"));
    expect(valueOf(t("case.level"))).toBe(t("level.none"));
    for (const key of ["case.fees", "case.flatFee", "case.total", "case.nextAction"] as const)
      expect(screen.queryByText(t(key))).toBeNull();
  });
});
