// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test, vi } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import { AmountFilter, useAmountFilter } from "./amount-filter";
import { PeriodFilter, usePeriodFilter } from "./period-filter";

afterEach(cleanup);

type GoTo = (changes: Record<string, string | null>) => void;

function Amount({ search, goTo }: { search: string; goTo: GoTo }) {
  return <AmountFilter state={useAmountFilter({ params: new URLSearchParams(search), goTo }, "EUR")} />;
}

function Period({ search, goTo }: { search: string; goTo: GoTo }) {
  return <PeriodFilter state={usePeriodFilter({ params: new URLSearchParams(search), goTo })} />;
}

describe.each(["de", "en"] as Locale[])("list filters in %s", (locale) => {
  const t = translator(locale);
  const apply = () => screen.getByRole("button", { name: t("filter.apply") });

  test("an amount range is applied in minor units; text that is no amount, or a reversed range, cannot be applied", async () => {
    const user = userEvent.setup();
    const goTo = vi.fn<GoTo>();
    renderInTab(<Amount search="" goTo={goTo} />, locale);
    const from = screen.getByLabelText(t("filter.amountFrom"));
    const to = screen.getByLabelText(t("filter.amountTo"));

    await user.type(from, "zwölf");
    expect(screen.getByText(t("form.error.amount"))).toBeTruthy();
    expect(apply().hasAttribute("disabled") || apply().getAttribute("aria-disabled") === "true").toBe(true);

    await user.clear(from);
    await user.type(from, locale === "de" ? "100,50" : "100.50");
    await user.type(to, "50");
    expect(screen.getByText(t("filter.amountInvalid"))).toBeTruthy();

    await user.clear(to);
    await user.type(to, "200");
    expect(screen.queryByText(t("filter.amountInvalid"))).toBeNull();
    await user.click(apply());
    expect(goTo).toHaveBeenCalledWith({ minAmount: "10050", maxAmount: "20000" });
  });

  test("an applied amount range shows in the shop's currency, ready to edit", () => {
    renderInTab(<Amount search="minAmount=1250" goTo={vi.fn()} />, locale);
    const from = screen.getByLabelText(t("filter.amountFrom")) as HTMLInputElement;
    expect(from.value).toBe(locale === "de" ? "12,50" : "12.50");
  });

  test("a preset period replaces a custom range; a custom range whose end is before its start cannot be applied", async () => {
    const user = userEvent.setup();
    const goTo = vi.fn<GoTo>();
    const { unmount } = renderInTab(<Period search="" goTo={goTo} />, locale);
    await user.click(screen.getByLabelText(t("filter.period.7")));
    expect(goTo).toHaveBeenCalledWith({ period: "7", from: null, to: null });
    unmount();

    renderInTab(<Period search="from=2026-05-10&to=2026-05-01" goTo={goTo} />, locale);
    expect(screen.getByText(t("filter.rangeInvalid"))).toBeTruthy();
    goTo.mockClear();
    await user.click(apply());
    expect(goTo).not.toHaveBeenCalled();
  });
});
