// @vitest-environment happy-dom
import { cleanup, render, screen, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { privacyRows, retentionPeriod } from "#app/services/privacy/privacy-page";
import { RETENTION_RULES, shopRetentionPeriods } from "#app/services/privacy/retention.server";
import { Providers } from "#test/support/render";

import PrivacyPage, { type loader } from "./app.privacy";

// Typed against the real loader, so a change of its shape fails typecheck here instead of passing silently.
type LoaderData = Awaited<ReturnType<typeof loader>>;

afterEach(cleanup);

/** The privacy page with what its loader returns: the rows built from the real RETENTION_RULES. */
async function renderPrivacyPage(
  locale: Locale,
  operatorContact: string | null,
  shopPeriods: Record<string, number> = {},
) {
  const router = createMemoryRouter(
    [
      {
        path: "/app/privacy",
        loader: (): LoaderData => ({ rules: privacyRows(RETENTION_RULES, locale, shopPeriods), operatorContact }),
        element: (
          <Providers locale={locale}>
            <PrivacyPage />
          </Providers>
        ),
      },
    ],
    { initialEntries: ["/app/privacy"] },
  );
  render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
  await screen.findByRole("heading", { level: 1, name: translator(locale)("privacy.title") }, { timeout: 10_000 });
}

/** The region of one rule, found by its id as shown on the page (not by a translated text). */
function ruleRegion(id: string): HTMLElement {
  const region = screen.getByText(id, { selector: "code" }).closest("section");
  expect(region, id).not.toBeNull();
  return region!;
}

const PERIODS: Record<Locale, Record<string, string>> = {
  de: {
    "inbox.bodies": "7 Tage",
    "outbox.payloads": "30 Tage",
    "login_tokens.expired": "sofort nach Ablauf",
    "cases.commercial": "10 Jahre",
  },
  en: {
    "inbox.bodies": "7 days",
    "outbox.payloads": "30 days",
    "login_tokens.expired": "on expiry",
    "cases.commercial": "10 years",
  },
};

describe.each(["de", "en"] as Locale[])("privacy page in %s", (locale) => {
  const t = translator(locale);

  test("every retention rule is on the page with its period and whether the daily job enforces it", async () => {
    await renderPrivacyPage(locale, "datenschutz@example.com");
    for (const rule of RETENTION_RULES) {
      const region = within(ruleRegion(rule.id));
      expect(region.getByText(retentionPeriod(rule.periodDays, locale)), rule.id).toBeTruthy();
      expect(region.getByText(t(rule.enforced ? "privacy.enforced" : "privacy.notEnforced")), rule.id).toBeTruthy();
    }
    for (const [id, period] of Object.entries(PERIODS[locale]))
      expect(within(ruleRegion(id)).getByText(period)).toBeTruthy();
    // Each rule is a region named by its data, in the page's language.
    const commercial = privacyRows(RETENTION_RULES, locale).find((r) => r.id === "cases.commercial")!;
    expect(screen.getByRole("region", { name: commercial.data })).toBe(ruleRegion("cases.commercial"));
  });

  test("names where data goes and links the operator's contact", async () => {
    await renderPrivacyPage(locale, "datenschutz@example.com");
    for (const recipient of ["platform", "mail", "partner"] as const)
      expect(screen.getByText(t(`privacy.recipients.${recipient}`))).toBeTruthy();
    expect(screen.getByRole("link", { name: "datenschutz@example.com" }).getAttribute("href")).toBe(
      "mailto:datenschutz@example.com",
    );
    expect(screen.queryByText(t("privacy.contact.unset"))).toBeNull();
  });

  test("a shop that keeps ended cases for 6 years sees its own period", async () => {
    await renderPrivacyPage(locale, null, shopRetentionPeriods({ caseRetentionYears: 6 }));
    expect(within(ruleRegion("cases.commercial")).getByText(locale === "de" ? "6 Jahre" : "6 years")).toBeTruthy();
  });

  test("says so when the operator gave no contact", async () => {
    await renderPrivacyPage(locale, null);
    expect(screen.getByText(t("privacy.contact.unset"))).toBeTruthy();
  });
});
