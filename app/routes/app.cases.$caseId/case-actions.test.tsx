// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { Providers } from "#test/support/render";

import type { CaseData } from "./case-data";
import CasePage, { type action } from "./route";

type ActionData = Awaited<ReturnType<typeof action>>;

afterEach(cleanup);

/** A running consumer case that may be started or cancelled, as the loader returns it. */
function runningCase(overrides: Partial<CaseData> = {}): CaseData {
  return {
    timezone: "Europe/Berlin",
    partner: null,
    letter: { available: true, level: "reminder_1" },
    case: {
      id: "case-1",
      kind: "invoice",
      status: "running",
      orderName: "#1001",
      currency: "EUR",
      originalMinor: 11_990,
      outstandingMinor: 11_990,
      overpaymentMinor: 0,
      dueDate: "2026-02-01",
      dunningLevel: "reminder_1",
      nextActionAt: null,
      partnerReference: null,
      partnerSubStatus: null,
      cancellationRequested: false,
      feesMinor: 0,
      interestMinor: 0,
      interest: null,
      defaultFrom: null,
      paymentDeadline: null,
      flatFeeMinor: 0,
      totalMinor: 11_990,
      failureReasons: [],
      blockReasons: [],
    },
    address: ["Erika Mustermann", "Musterstraße 1", "10115 Berlin"],
    orderUrl: null,
    orderPayment: null,
    platform: "demo",
    platformOrderId: "4711",
    debtor: { kind: "consumer", basis: "no_signal", vatId: null, canClassify: true },
    reminders: [],
    payments: [],
    allowedActions: ["start", "cancel"],
    events: [],
    ...overrides,
  };
}

/** The page under a data router whose action records what was posted and answers as told. */
function renderCasePage(locale: Locale, data: CaseData, answer: ActionData) {
  const posted: Record<string, FormDataEntryValue>[] = [];
  const router = createMemoryRouter(
    [
      {
        path: "/app/cases/:caseId",
        loader: () => data,
        action: async ({ request }) => {
          posted.push(Object.fromEntries(await request.formData()));
          return answer;
        },
        element: (
          <Providers locale={locale}>
            <CasePage />
          </Providers>
        ),
      },
    ],
    { initialEntries: [`/app/cases/case-1?locale=${locale}`] },
  );
  render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
  return posted;
}

describe.each(["de", "en"] as Locale[])("case page actions in %s", (locale) => {
  const t = translator(locale);
  // Polaris renders header actions a second time in a hidden measuring row until it has measured the page's width.
  const headerButton = (name: string) =>
    waitFor(
      () => {
        const shown = screen
          .getAllByRole("button", { name })
          .filter((button) => !button.closest('[class*="ActionsLayoutMeasurer"]'));
        expect(shown).toHaveLength(1);
        return shown[0]!;
      },
      { timeout: 10_000 },
    );
  const open = async (name: string) => {
    const user = userEvent.setup({ delay: null });
    await user.click(await headerButton(name));
    return { user, dialog: await screen.findByRole("dialog", undefined, { timeout: 10_000 }) };
  };
  const confirmIn = (dialog: HTMLElement) => within(dialog).getByRole("button", { name: t("action.confirm") });

  test("cancel asks for a reason, posts nothing without one, then posts intent and reason and reports the result", async () => {
    const posted = renderCasePage(locale, runningCase(), { ok: true, status: "cancelled" });
    const { user, dialog } = await open(t("action.cancel"));
    expect(within(dialog).getByText(t("action.cancelTitle"))).toBeTruthy();

    await user.click(confirmIn(dialog));
    expect(within(dialog).getByText(t("action.reasonRequired"))).toBeTruthy();
    expect(posted).toEqual([]);

    await user.type(within(dialog).getByLabelText(new RegExp(t("action.reason"))), "Ware vollständig zurückgesendet");
    await user.click(confirmIn(dialog));
    await screen.findByText(t("action.done", { status: t("status.cancelled") }), undefined, { timeout: 10_000 });
    expect(posted).toEqual([{ intent: "cancel", reason: "Ware vollständig zurückgesendet" }]);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  test("a refusal stays in the open modal, and once it is closed shows above the cards", async () => {
    renderCasePage(locale, runningCase(), { ok: false, code: "transition_not_allowed", message: "not allowed" });
    const { user, dialog } = await open(t("action.start"));
    expect(within(dialog).getByText(t("action.startTitle"))).toBeTruthy();
    await user.type(within(dialog).getByLabelText(new RegExp(t("action.reason"))), "Kunde nicht erreicht");
    await user.click(confirmIn(dialog));

    const refusal = t("refusal.transition_not_allowed");
    await within(dialog).findByText(refusal, undefined, { timeout: 10_000 });
    expect(screen.getAllByText(refusal)).toHaveLength(1);

    const close = within(dialog)
      .getAllByRole("button", { name: t("action.close") })
      .find((b) => b.textContent === t("action.close"));
    await user.click(close!);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByText(refusal)).toBeTruthy();
  });

  test("classifying the debtor goes through the same reason modal and posts the classification", async () => {
    const posted = renderCasePage(locale, runningCase(), { ok: true, status: "running" });
    const { user, dialog } = await open(t("action.classify_business"));
    expect(within(dialog).getByText(t("action.classify_businessTitle"))).toBeTruthy();
    await user.type(within(dialog).getByLabelText(new RegExp(t("action.reason"))), "Gewerbekunde laut Rechnung");
    await user.click(confirmIn(dialog));
    await screen.findByText(t("action.done", { status: t("status.running") }), undefined, { timeout: 10_000 });
    expect(posted).toEqual([{ intent: "classify_business", reason: "Gewerbekunde laut Rechnung" }]);
  });

  test("a case whose state allows neither action offers neither button", async () => {
    renderCasePage(locale, runningCase({ allowedActions: [] }), { ok: true, status: "cancelled" });
    await screen.findByRole("heading", { name: t("case.title", { order: "#1001" }) }, { timeout: 10_000 });
    expect(screen.queryAllByRole("button", { name: t("action.start") })).toEqual([]);
    expect(screen.queryAllByRole("button", { name: t("action.cancel") })).toEqual([]);
  });

  test("a handover whose answer never came: the claim number from the partner's portal is posted with a reason", async () => {
    const blocked = runningCase();
    const posted = renderCasePage(
      locale,
      {
        ...blocked,
        case: { ...blocked.case, status: "blocked", blockReasons: ["handover_unknown"] },
        allowedActions: [],
      },
      { ok: true, status: "handed_over" },
    );
    const user = userEvent.setup({ delay: null });
    const save = await screen.findByRole("button", { name: t("handover.unknown.enter") }, { timeout: 10_000 });
    expect(save.hasAttribute("disabled") || save.getAttribute("aria-disabled") === "true").toBe(true);
    await user.type(screen.getByLabelText(t("handover.unknown.claimNumber")), " 10000007001 ");
    await user.click(screen.getByRole("button", { name: t("handover.unknown.enter") }));
    const dialog = await screen.findByRole("dialog", undefined, { timeout: 10_000 });
    expect(within(dialog).getByText(t("action.resolve_claim_numberTitle"))).toBeTruthy();
    await user.type(within(dialog).getByLabelText(new RegExp(t("action.reason"))), "Akte im Portal gefunden");
    await user.click(confirmIn(dialog));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      claimNumber: "10000007001",
      intent: "resolve_claim_number",
      reason: "Akte im Portal gefunden",
    });
  });
});
