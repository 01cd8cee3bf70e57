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
  id: "0b9c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f" as string | null,
  orderId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
  orderName: "#1010",
  customer: "Mia Braun",
  status: "running" as string | null,
  outstanding: { amountMinor: 21_399, currency: "EUR" },
};
/** An unpaid invoice order that has no case yet (not yet due). */
const ORDER = {
  id: null,
  orderId: "2d3e4f5a-6b7c-4d8e-9fa0-1b2c3d4e5f6a",
  orderName: "#1011",
  customer: "Mia Braun",
  status: null,
  outstanding: { amountMinor: 4_990, currency: "EUR" },
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
      {
        id: "6a1d3c2b-4f5e-4a6b-9c7d-8e9f0a1b2c3d",
        bookingDate: "2026-11-19",
        amount: { amountMinor: 4_990, currency: "EUR" },
        payerName: "M. Braun",
        payerIban: null,
        remittance: "Bestellung 1011",
        status: "review",
        resolvedBy: null,
        candidates: [{ case: ORDER, reasons: ["order_number", "last_name"] }],
      },
    ],
    decided: [
      {
        id: "7b2e4d3c-5a6f-4b7c-8d9e-0f1a2b3c4d5e",
        bookingDate: "2026-11-17",
        amount: { amountMinor: 2_500, currency: "EUR" },
        payerName: "Jens Köhler",
        payerIban: null,
        remittance: "RF18 1012",
        status: "matched",
        resolvedBy: null,
        reasons: ["reference"],
        cases: [{ ...ORDER, orderId: "3e4f5a6b-7c8d-4e9f-a0b1-2c3d4e5f6a7b", orderName: "#1012" }],
      },
    ],
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
      await screen.findByText(t("payments.review.title", { count: 2 }), undefined, { timeout: 10_000 }),
    ).toBeTruthy();
    expect(screen.getByText("Bestellungen 1010 1011")).toBeTruthy();
    expect(screen.getByRole("link", { name: "#1010" }).getAttribute("href")).toBe(`/app/cases/${CASE.id}`);
    expect(document.body.textContent).toContain(
      `${t("payments.reason.order_number")}, ${t("payments.reason.last_name")}`,
    );
    await userEvent
      .setup({ delay: null })
      .click(screen.getAllByRole("button", { name: t("payments.review.assign") })[0]!);
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(Object.fromEntries(posted[0]!)).toEqual({
      intent: "assign",
      creditId: PAGE.page.review[0]!.id,
      caseId: CASE.id,
    });
  });

  test("an order without a case is offered and named without a link; Assign posts the order; a paid one is listed", async () => {
    const posted: FormData[] = [];
    renderPage(locale, posted);
    expect(await screen.findByText("Bestellung 1011", undefined, { timeout: 10_000 })).toBeTruthy();
    expect(document.body.textContent).toContain(`#1011 (${t("payments.review.noCase")})`);
    expect(screen.queryByRole("link", { name: "#1011" })).toBeNull();
    await userEvent
      .setup({ delay: null })
      .click(screen.getAllByRole("button", { name: t("payments.review.assign") })[1]!);
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(Object.fromEntries(posted[0]!)).toEqual({
      intent: "assign",
      creditId: PAGE.page.review[1]!.id,
      orderId: ORDER.orderId,
    });
    // Decided: the order paid before it had a case, among the decided credits.
    expect(document.body.textContent).toContain(`#1012 (${t("payments.decided.noCase")})`);
  });

  test("the upload form takes one statement file and says which formats", async () => {
    renderPage(locale, []);
    expect(await screen.findByText(t("payments.import.help"), undefined, { timeout: 10_000 })).toBeTruthy();
    const input = screen.getByLabelText(t("payments.import.file")) as HTMLInputElement;
    expect(input.type).toBe("file");
    expect(input.closest("form")?.getAttribute("enctype")).toBe("multipart/form-data");
  });
});
