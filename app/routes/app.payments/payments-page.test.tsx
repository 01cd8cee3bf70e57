// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { Providers } from "#test/support/render";

import PaymentsPage, { type loader } from "./route";

type LoaderData = Awaited<ReturnType<typeof loader>>;

afterEach(cleanup);

const CASE = {
  id: "0b9c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f",
  orderName: "#1010",
  customer: "Mia Braun",
  status: "running",
  outstanding: { amountMinor: 21_399, currency: "EUR" },
};

const PAGE: LoaderData = {
  timezone: "Europe/Berlin",
  page: {
    review: [
      {
        id: "5f0c2b1a-3e4d-4f5a-8b6c-7d8e9f0a1b2c",
        bookingDate: "2026-11-18",
        amount: { amountMinor: 1_234, currency: "EUR" },
        payerName: "Sammelzahler",
        payerIban: null,
        remittance: "Bestellungen 1010 1011",
        status: "review",
        resolvedBy: null,
        candidates: [{ case: CASE, reasons: ["order_number", "last_name"] }],
      },
    ],
    decided: [],
    imports: [],
  },
};

function renderPage(locale: Locale, posted: FormData[]) {
  const router = createMemoryRouter(
    [
      {
        path: "/app/payments",
        loader: () => PAGE,
        action: async ({ request }) => {
          posted.push(await request.formData());
          return { intent: "review", ok: true };
        },
        element: (
          <Providers locale={locale}>
            <PaymentsPage />
          </Providers>
        ),
      },
    ],
    { initialEntries: ["/app/payments"] },
  );
  return render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
}

describe.each(["de", "en"] as Locale[])("payments page in %s", (locale) => {
  const t = translator(locale);

  test("a credit to review shows its candidate with the reasons; Assign posts the credit and the case", async () => {
    const posted: FormData[] = [];
    renderPage(locale, posted);
    expect(
      await screen.findByText(t("payments.review.title", { count: 1 }), undefined, { timeout: 10_000 }),
    ).toBeTruthy();
    expect(screen.getByText("Bestellungen 1010 1011")).toBeTruthy();
    expect(screen.getByRole("link", { name: "#1010" }).getAttribute("href")).toBe(`/app/cases/${CASE.id}`);
    expect(document.body.textContent).toContain(
      `${t("payments.reason.order_number")}, ${t("payments.reason.last_name")}`,
    );
    await userEvent.setup({ delay: null }).click(screen.getByRole("button", { name: t("payments.review.assign") }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(Object.fromEntries(posted[0]!)).toEqual({
      intent: "assign",
      creditId: PAGE.page.review[0]!.id,
      caseId: CASE.id,
    });
  });

  test("the upload form takes one statement file and says which formats", async () => {
    renderPage(locale, []);
    expect(await screen.findByText(t("payments.import.help"), undefined, { timeout: 10_000 })).toBeTruthy();
    const input = screen.getByLabelText(t("payments.import.file")) as HTMLInputElement;
    expect(input.type).toBe("file");
    expect(input.closest("form")?.getAttribute("enctype")).toBe("multipart/form-data");
  });
});
