// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { CASE_STATUSES } from "#app/domain/case/status";
import { type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { Providers } from "#test/support/render";

import CasesIndex, { type loader } from "./route";

// Typed against the real loader, so a change of its shape fails typecheck here instead of passing silently.
type LoaderData = Awaited<ReturnType<typeof loader>>;

afterEach(cleanup);

/** A filtered view of a big shop: "running" reached the count's cap (countCasesByStatus), "paid" did not. */
function renderCasesIndex(locale: Locale, url: string) {
  const counts = {
    ...(Object.fromEntries(CASE_STATUSES.map((status) => [status, 0])) as Record<
      (typeof CASE_STATUSES)[number],
      number
    >),
    all: 1_042,
    running: 1_000,
    paid: 42,
    capped: ["all", "running"],
  } as LoaderData["counts"];
  const router = createMemoryRouter(
    [
      {
        path: "/app",
        loader: (): LoaderData => ({
          invalidFilter: false,
          importRun: null,
          timezone: "Europe/Berlin",
          currency: "EUR",
          today: "2026-11-23T10:00:00.000Z",
          counts,
          nextCursor: null,
          cases: [],
        }),
        element: (
          <Providers locale={locale}>
            <CasesIndex />
          </Providers>
        ),
      },
    ],
    { initialEntries: [url] },
  );
  return render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
}

describe.each(["de", "en"] as Locale[])("collections tab in %s", (locale) => {
  const t = translator(locale);
  const number = (n: number) => new Intl.NumberFormat(locale === "de" ? "de-DE" : "en-US").format(n);

  // Polaris shows the tabs that fit and the selected one; happy-dom lays nothing out, so each tab is looked at selected.
  const tab = async (url: string, name: string) => {
    renderCasesIndex(locale, url);
    const element = await screen.findByRole("tab", { name }, { timeout: 10_000 });
    cleanup();
    return element.textContent;
  };

  test("a capped count reads 'N+' in its badge and 'at least N' to a screen reader; an exact one stays exact", async () => {
    const atLeast = (n: number) => t("cases.tab.atLeastLabel", { count: number(n) });
    expect(await tab("/app?minAmount=50000", `${t("cases.tab.all")} (${atLeast(1_042)})`)).toBe(
      `${t("cases.tab.all")}${number(1_042)}+`,
    );
    expect(await tab("/app?status=running&minAmount=50000", `${t("status.running")} (${atLeast(1_000)})`)).toBe(
      `${t("status.running")}${number(1_000)}+`,
    );
    expect(await tab("/app?status=paid&minAmount=50000", `${t("status.paid" as MessageKey)} (42)`)).toBe(
      `${t("status.paid" as MessageKey)}42`,
    );
  });
});
