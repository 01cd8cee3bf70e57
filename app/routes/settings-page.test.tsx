// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";
import { SETTINGS_DEFAULTS } from "#app/domain/settings";
import { translator, type Locale, type MessageKey } from "#app/i18n/i18n";
import { parseSettingsForm } from "#app/services/settings.server";
import { Providers } from "#test/support/render";
import SettingsPage, { type loader } from "./app.settings";

// Typed against the real loader, so a change of its shape fails typecheck here instead of passing silently.
type LoaderData = Awaited<ReturnType<typeof loader>>;

afterEach(cleanup);

/**
 * The settings page under a data router whose action does what the real one does before touching the database:
 * parse the posted form (the real parser). What is pinned here: an invalid value comes back as an error shown at
 * its own field (aria-invalid, the message in the field's error slot) in the page's language, with a summary.
 */
function renderSettingsPage(locale: Locale) {
  const router = createMemoryRouter(
    [
      {
        path: "/app/settings",
        loader: (): LoaderData => ({
          settings: { ...SETTINGS_DEFAULTS, version: 3 },
          // Cast: the partner view is still growing (another part of the page); only its presence matters here.
          partner: { partner: null, environment: "sandbox", clientId: "", secretStored: false, available: { sandbox: true, riverty: { sandbox: false, production: false } }, updatedAt: null } as LoaderData["partner"],
          mailFrom: "mahnwerk@localhost",
          shop: { name: "Wollwerk", currency: "EUR", platform: "woocommerce" },
          dunningOptionUnlocksOn: null,
        }),
        action: async ({ request }) => {
          const parsed = parseSettingsForm(await request.formData(), "EUR");
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

  test("an out-of-range payment term is reported at that field, the others stay valid", async () => {
    const user = userEvent.setup({ delay: null });
    renderSettingsPage(locale);
    const term = (await screen.findByLabelText(t("settings.defaultPaymentTermDays"), undefined, { timeout: 10_000 })) as HTMLInputElement;
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
    expect(screen.getByLabelText(t("settings.schedule.reminder_1" as MessageKey)).getAttribute("aria-invalid")).toBe("false");
  });
});
