// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import { AddressFields, AddressSection } from "./address-fields";

afterEach(cleanup);

const STORED = {
  company: "Wollwerk GmbH",
  street: "Hauptstraße 1",
  postalCode: "80331",
  city: "München",
  countryCode: "DE",
  email: "hallo@wollwerk.de",
  phone: null,
};

describe.each(["de", "en"] as Locale[])("address fields in %s", (locale) => {
  const t = translator(locale);
  const country = () => screen.getByLabelText(t("settings.address.countryCode")) as HTMLSelectElement;
  const posted = (container: HTMLElement) => Object.fromEntries(new FormData(container.querySelector("form")!));

  test("no stored address: empty fields, Germany preselected among the countries offered", () => {
    renderInTab(<AddressFields address={null} err={() => undefined} />, locale);
    expect((screen.getByLabelText(t("settings.address.company")) as HTMLInputElement).value).toBe("");
    expect(country().value).toBe("DE");
    expect(country().selectedOptions[0]?.textContent).toBe(locale === "de" ? "Deutschland" : "Germany");
    expect([...country().options].map((o) => o.value)).toEqual([
      "DE",
      "AT",
      "CH",
      "LI",
      "LU",
      "BE",
      "NL",
      "FR",
      "IT",
      "DK",
      "PL",
      "CZ",
      "ES",
      "SE",
    ]);
  });

  test("the stored address is posted as it was, and an edit is posted as typed", async () => {
    const user = userEvent.setup({ delay: null });
    const { container } = renderInTab(
      <form>
        <AddressSection address={STORED} err={() => undefined} />
      </form>,
      locale,
    );
    expect(screen.getByText(t("settings.section.address.help"))).toBeTruthy();
    expect(posted(container)).toEqual({
      "address.company": "Wollwerk GmbH",
      "address.street": "Hauptstraße 1",
      "address.postalCode": "80331",
      "address.city": "München",
      "address.countryCode": "DE",
      "address.email": "hallo@wollwerk.de",
      "address.phone": "",
    });
    await user.type(screen.getByLabelText(t("settings.address.phone")), "+49 89 123");
    await user.selectOptions(country(), "AT");
    expect(posted(container)).toMatchObject({ "address.phone": "+49 89 123", "address.countryCode": "AT" });
  });

  test("a stored country outside the list stays offered and selected, so saving keeps it", () => {
    renderInTab(<AddressFields address={{ ...STORED, countryCode: "US" }} err={() => undefined} />, locale);
    expect(country().value).toBe("US");
    expect([...country().options].map((o) => o.value).at(-1)).toBe("US");
  });

  test("an error shows at its field", () => {
    renderInTab(
      <AddressFields address={STORED} err={(field) => (field === "address.email" ? "not an e-mail" : undefined)} />,
      locale,
    );
    expect(screen.getByLabelText(t("settings.address.email")).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText(t("settings.address.city")).getAttribute("aria-invalid")).toBe("false");
    expect(screen.getByText("not an e-mail")).toBeTruthy();
  });
});
