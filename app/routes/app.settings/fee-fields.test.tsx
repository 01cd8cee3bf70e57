// @vitest-environment happy-dom
import { cleanup, getDefaultNormalizer, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test } from "vitest";

import { MAX_REMINDER_FEE_MINOR, TYPICAL_COST_MINOR } from "#app/domain/dunning/fees";
import { intlLocale, type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { formatMinor } from "#app/utils/format";
import { renderInTab } from "#test/support/render";

import { FeeFields, FeesSection } from "./fee-fields";

afterEach(cleanup);

const noErrors = () => undefined;
// Polaris puts the message in an element named by the field's aria-describedby (its id ends in "Error").
const errorOf = (field: HTMLElement) =>
  (field.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .filter((id) => id.endsWith("Error"))
    .map((id) => document.getElementById(id)?.textContent);

describe.each(["de", "en"] as Locale[])("reminder fees in %s", (locale) => {
  const t = translator(locale);
  const level = (key: string) => screen.getByLabelText(t(`level.${key}` as MessageKey)) as HTMLInputElement;
  const warning = () => screen.queryByText(t("settings.fees.aboveCost.title"));

  test("stored fees show as amounts in the page's language; typing one above the usual cost warns until it is lowered", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(
      <FeeFields fees={{ reminder_1: 0, reminder_2: 150, final_reminder: 95 }} currency="EUR" err={noErrors} />,
      locale,
    );
    expect(level("reminder_2").value).toBe(locale === "de" ? "1,50" : "1.50");
    expect(level("final_reminder").value).toBe(locale === "de" ? "0,95" : "0.95");
    // Exactly the usual cost is fine.
    expect(warning()).toBeNull();

    await user.clear(level("final_reminder"));
    await user.type(level("final_reminder"), locale === "de" ? "1,51" : "1.51");
    expect(warning()).toBeTruthy();
    expect(
      screen.getByText(
        t("settings.fees.aboveCost", {
          levels: t("level.final_reminder" as MessageKey),
          typical: formatMinor(TYPICAL_COST_MINOR, "EUR", intlLocale(locale)),
        }),
        { normalizer: getDefaultNormalizer({ collapseWhitespace: false }) },
      ),
    ).toBeTruthy();

    await user.clear(level("final_reminder"));
    expect(warning()).toBeNull();
  });

  test("the first reminder is never charged, so even a high fee there does not warn", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(
      <FeeFields fees={{ reminder_1: 0, reminder_2: 0, final_reminder: 0 }} currency="EUR" err={noErrors} />,
      locale,
    );
    expect(screen.getByText(t("settings.fees.reminder_1.help"))).toBeTruthy();
    await user.clear(level("reminder_1"));
    await user.type(level("reminder_1"), "4");
    expect(warning()).toBeNull();
  });

  test("a refused fee shows its message at that level's field only", () => {
    const message = t("form.error.feeMax", {
      maxMinor: formatMinor(MAX_REMINDER_FEE_MINOR, "EUR", intlLocale(locale)),
    });
    renderInTab(
      <FeeFields
        fees={{ reminder_1: 0, reminder_2: 0, final_reminder: 900 }}
        currency="EUR"
        err={(field) => (field === "fees.final_reminder" ? message : undefined)}
      />,
      locale,
    );
    expect(level("final_reminder").getAttribute("aria-invalid")).toBe("true");
    expect(errorOf(level("final_reminder"))).toEqual([message]);
    expect(level("reminder_2").getAttribute("aria-invalid")).toBe("false");
  });

  test("the section names the maximum and posts the typed fees with the flat fee box", async () => {
    const user = userEvent.setup({ delay: null });
    const { container } = renderInTab(
      <form>
        <FeesSection
          settings={{ fees: { reminder_1: 0, reminder_2: 100, final_reminder: 100 }, flatFeeB2B: false }}
          currency="EUR"
          err={noErrors}
        />
      </form>,
      locale,
    );
    const max = formatMinor(MAX_REMINDER_FEE_MINOR, "EUR", intlLocale(locale));
    expect(
      screen.getByText(t("settings.section.fees.rules", { max }), {
        normalizer: getDefaultNormalizer({ collapseWhitespace: false }),
      }),
    ).toBeTruthy();
    await user.clear(level("reminder_2"));
    await user.type(level("reminder_2"), "1");
    await user.click(screen.getByLabelText(t("settings.flatFeeB2B")));
    const form = new FormData(container.querySelector("form")!);
    expect(form.get("fees.reminder_2")).toBe("1");
    expect(form.get("fees.final_reminder")).toBe(locale === "de" ? "1,00" : "1.00");
    expect(form.get("flatFeeB2B")).toBe("on");
  });
});
