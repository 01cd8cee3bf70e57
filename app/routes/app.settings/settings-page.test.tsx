// @vitest-environment happy-dom
import { cleanup, getDefaultNormalizer, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { MAX_REMINDER_FEE_MINOR } from "#app/domain/dunning/fees";
import { SETTINGS_DEFAULTS } from "#app/domain/settings";
import { intlLocale, type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { PARTNER_ABILITIES } from "#app/services/collection/partner-settings.server";
import { holidayRegionOptions, parseSettingsForm } from "#app/services/settings/settings.server";
import { formatMinor } from "#app/utils/format";
import { Providers } from "#test/support/render";

import SettingsPage, { type loader } from "./route";

// Typed against the real loader, so a change of its shape fails typecheck here instead of passing silently.
type LoaderData = Awaited<ReturnType<typeof loader>>;

afterEach(cleanup);

/**
 * The settings page under a data router whose action does what the real one does before touching the database:
 * parse the posted form (the real parser). What is pinned here: an invalid value comes back as an error shown at
 * its own field (aria-invalid, the message in the field's error slot) in the page's language, with a summary.
 */
function renderSettingsPage(
  locale: Locale,
  settings: Partial<LoaderData["settings"]> = {},
  page: {
    platform?: LoaderData["shop"]["platform"];
    guard?: LoaderData["guard"];
    posted?: (form: FormData) => void;
  } = {},
) {
  const router = createMemoryRouter(
    [
      {
        path: "/app/settings",
        loader: (): LoaderData => ({
          settings: { ...SETTINGS_DEFAULTS, version: 3, ...settings },
          partner: {
            partner: null,
            environment: "sandbox",
            clientId: "",
            uuid: "",
            secretStored: false,
            available: {
              sandbox: true,
              riverty: { sandbox: false, production: false },
              mediafinanz: { sandbox: false, production: false },
            },
            casesWithPartner: 0,
            abilities: PARTNER_ABILITIES,
          },
          mailFrom: "mahnwerk@localhost",
          shop: { name: "Wollwerk", currency: "EUR", platform: page.platform ?? "woocommerce" },
          dunningOptionUnlocksOn: null,
          holidayRegions: holidayRegionOptions(),
          guard: page.guard ?? null,
        }),
        action: async ({ request }) => {
          const form = await request.formData();
          page.posted?.(form);
          if (form.get("intent")) return null;
          const parsed = parseSettingsForm(form, "EUR");
          return parsed.ok ? { ok: true, version: 4 } : { ok: false, errors: parsed.errors };
        },
        element: (
          <Providers locale={locale}>
            <SettingsPage />
          </Providers>
        ),
      },
    ],
    { initialEntries: ["/app/settings"] },
  );
  return render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
}

describe.each(["de", "en"] as Locale[])("settings page in %s", (locale) => {
  const t = translator(locale);
  const maxFee = formatMinor(MAX_REMINDER_FEE_MINOR, "EUR", intlLocale(locale)); // "5,00 €" with a no-break space, "€5.00"

  test("an out-of-range payment term is reported at that field, the others stay valid", async () => {
    const user = userEvent.setup({ delay: null });
    renderSettingsPage(locale);
    const term = (await screen.findByLabelText(t("settings.defaultPaymentTermDays"), undefined, {
      timeout: 10_000,
    })) as HTMLInputElement;
    expect(term.value).toBe(String(SETTINGS_DEFAULTS.defaultPaymentTermDays));
    expect(term.getAttribute("aria-invalid")).toBe("false");

    await user.clear(term);
    await user.type(term, "400");
    await user.click(screen.getByRole("button", { name: t("settings.save") }));

    const expected = t("form.error.range" as MessageKey, { min: 0, max: 365 });
    expect(await screen.findByText(t("settings.invalid", { count: 1 }), undefined, { timeout: 10_000 })).toBeTruthy();
    expect(term.getAttribute("aria-invalid")).toBe("true");
    const errorIds = (term.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id.endsWith("Error"));
    expect(errorIds.map((id) => document.getElementById(id)?.textContent)).toEqual([expected]);
    expect(screen.getByLabelText(t("settings.schedule.reminder_1" as MessageKey)).getAttribute("aria-invalid")).toBe(
      "false",
    );
  });

  test("Shopify: the guard's checkbox says what it installs; missing permissions are a warning whose button asks for them", async () => {
    const user = userEvent.setup({ delay: null });
    const intents: unknown[] = [];
    renderSettingsPage(
      locale,
      { checkoutGuard: true },
      {
        platform: "shopify",
        guard: { state: "scopes_missing", missing: ["write_customers", "write_payment_customizations"] },
        posted: (form) => intents.push(form.get("intent")),
      },
    );
    const box = (await screen.findByLabelText(t("settings.checkoutGuard"), undefined, {
      timeout: 10_000,
    })) as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(screen.getByText(t("settings.checkoutGuard.help.shopify"))).toBeTruthy();
    expect(screen.getByText(t("settings.guard.scopes.title"))).toBeTruthy();
    expect(
      screen.getByText(t("settings.guard.scopes.body", { scopes: "write_customers, write_payment_customizations" })),
    ).toBeTruthy();
    await user.click(screen.getByRole("button", { name: t("settings.guard.scopes.grant") }));
    await waitFor(() => expect(intents).toEqual(["grantGuardScopes"]));
  });

  test("holidays, grace, the invoice notice and the bank account are on the page; no account set is a warning", async () => {
    const user = userEvent.setup({ delay: null });
    renderSettingsPage(locale);
    const country = (await screen.findByLabelText(t("settings.holidays.country"), undefined, {
      timeout: 10_000,
    })) as HTMLSelectElement;
    expect(country.value).toBe("DE");
    expect([...country.options].map((o) => o.value).slice(0, 3)).toEqual(["DE", "AT", "CH"]);
    const state = screen.getByLabelText(t("settings.holidays.state")) as HTMLSelectElement;
    expect(state.value).toBe("");
    expect(state.options[0]?.textContent).toBe(t("settings.holidays.state.national"));
    expect([...state.options].map((o) => o.value)).toContain("BY");
    // Another country brings its own states and starts from its national holidays.
    await user.selectOptions(country, "AT");
    expect(state.value).toBe("");
    expect([...state.options].map((o) => o.textContent)).toContain("Tirol");
    expect([...state.options].map((o) => o.value)).not.toContain("BY");

    expect((screen.getByLabelText(t("settings.transferGraceDays")) as HTMLInputElement).value).toBe("3");
    expect((screen.getByLabelText(t("settings.consumerInvoiceWarns")) as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(t("settings.consumerInvoiceWarns.help"))).toBeTruthy();
    expect(document.querySelector<HTMLInputElement>('input[type="hidden"][name="consumerInvoiceWarns"]')?.value).toBe(
      "off",
    );
    for (const key of ["settings.bank.holder", "settings.bank.iban", "settings.bank.bic"] as const)
      expect((screen.getByLabelText(t(key)) as HTMLInputElement).value).toBe("");
    expect(screen.getByText(t("settings.bank.missing.title"))).toBeTruthy();
    // Without collapsing whitespace, so the no-break space in "5,00 €" is compared as it is.
    expect(
      screen.getByText(t("settings.section.fees.rules", { max: maxFee }), {
        normalizer: getDefaultNormalizer({ collapseWhitespace: false }),
      }),
    ).toBeTruthy();
  });

  test("a stored bank account is shown grouped and the warning is gone; a fee above the usual cost warns, one above the maximum is refused", async () => {
    const user = userEvent.setup({ delay: null });
    renderSettingsPage(locale, {
      bankAccount: { holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: "COBADEFFXXX" },
      holidays: { country: "DE", state: "BY" },
    });
    const iban = (await screen.findByLabelText(t("settings.bank.iban"), undefined, {
      timeout: 10_000,
    })) as HTMLInputElement;
    expect(iban.value).toBe("DE89 3704 0044 0532 0130 00");
    expect((screen.getByLabelText(t("settings.holidays.state")) as HTMLSelectElement).value).toBe("BY");
    expect(screen.queryByText(t("settings.bank.missing.title"))).toBeNull();
    expect(screen.queryByText(t("settings.fees.aboveCost.title"))).toBeNull();

    const fee = screen.getByLabelText(t("level.final_reminder" as MessageKey)) as HTMLInputElement;
    await user.clear(fee);
    await user.type(fee, locale === "de" ? "2,00" : "2.00");
    expect(screen.getByText(t("settings.fees.aboveCost.title"))).toBeTruthy();
    await user.clear(fee);
    await user.type(fee, "9");
    await user.click(screen.getByRole("button", { name: t("settings.save") }));
    expect(await screen.findByText(t("settings.invalid", { count: 1 }), undefined, { timeout: 10_000 })).toBeTruthy();
    expect(fee.getAttribute("aria-invalid")).toBe("true");
    const errorIds = (fee.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id.endsWith("Error"));
    expect(errorIds.map((id) => document.getElementById(id)?.textContent)).toEqual([
      t("form.error.feeMax", { maxMinor: maxFee }),
    ]);
  });
});
