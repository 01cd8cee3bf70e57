// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import type { HolidayRegionOption } from "#app/services/settings/settings.server";
import { renderInTab } from "#test/support/render";

import { HolidayFields } from "./holiday-fields";

afterEach(cleanup);

// Not in display order: the fields put the German-speaking countries first and sort the others by their name.
const REGIONS: HolidayRegionOption[] = [
  { country: "SE", states: [] },
  {
    country: "DE",
    states: [
      { code: "BY", name: "Bayern" },
      { code: "BE", name: "Berlin" },
    ],
  },
  { country: "ES", states: [{ code: "MD", name: "Madrid" }] },
  {
    country: "AT",
    states: [
      { code: "7", name: "Tirol" },
      { code: "9", name: "Wien" },
    ],
  },
  { country: "CH", states: [] },
];

describe.each(["de", "en"] as Locale[])("holiday fields in %s", (locale) => {
  const t = translator(locale);
  const country = () => screen.getByLabelText(t("settings.holidays.country")) as HTMLSelectElement;
  const state = () => screen.getByLabelText(t("settings.holidays.state")) as HTMLSelectElement;
  const values = (select: HTMLSelectElement) => [...select.options].map((o) => o.value);

  test("German-speaking countries come first, the others by their name in the page's language", () => {
    renderInTab(
      <HolidayFields holidays={{ country: "DE", state: null }} regions={REGIONS} err={() => undefined} />,
      locale,
    );
    // Schweden < Spanien, but Spain < Sweden.
    expect(values(country())).toEqual(
      locale === "de" ? ["DE", "AT", "CH", "SE", "ES"] : ["DE", "AT", "CH", "ES", "SE"],
    );
    expect(country().options[0]?.textContent).toBe(locale === "de" ? "Deutschland" : "Germany");
  });

  test("the state list follows the country, and another country starts from its national holidays", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(
      <HolidayFields holidays={{ country: "DE", state: "BY" }} regions={REGIONS} err={() => undefined} />,
      locale,
    );
    expect(state().value).toBe("BY");
    expect(values(state())).toEqual(["", "BY", "BE"]);
    expect(state().options[0]?.textContent).toBe(t("settings.holidays.state.national"));
    expect(screen.getByText(t("settings.holidays.state.help"))).toBeTruthy();

    await user.selectOptions(country(), "AT");
    expect(state().value).toBe("");
    expect([...state().options].map((o) => o.textContent)).toEqual([
      t("settings.holidays.state.national"),
      "Tirol",
      "Wien",
    ]);
    // The hint about German federal states is for Germany only.
    expect(screen.queryByText(t("settings.holidays.state.help"))).toBeNull();
    // Back in Germany, the state stored before is not brought back: a new country starts from its national holidays.
    await user.selectOptions(country(), "DE");
    expect(state().value).toBe("");
    await user.selectOptions(country(), "AT");

    await user.selectOptions(state(), "7");
    await user.selectOptions(country(), "SE");
    expect(values(state())).toEqual([""]);
    expect(state().value).toBe("");
  });

  test("errors show at the field they are about", () => {
    renderInTab(
      <HolidayFields
        holidays={{ country: "DE", state: null }}
        regions={REGIONS}
        err={(field) => (field === "holidays.state" ? "wrong state" : undefined)}
      />,
      locale,
    );
    expect(state().getAttribute("aria-invalid")).toBe("true");
    expect(country().getAttribute("aria-invalid")).toBe("false");
    expect(screen.getByText("wrong state")).toBeTruthy();
  });
});
