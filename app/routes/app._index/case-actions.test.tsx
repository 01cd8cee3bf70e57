// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { CASE_STATUSES } from "#app/domain/case/status";
import { type Locale, translator } from "#app/i18n/i18n";
import { Providers } from "#test/support/render";

import CasesIndex, { type action, type loader } from "./route";

type LoaderData = Awaited<ReturnType<typeof loader>>;
type ActionData = Exclude<Awaited<ReturnType<typeof action>>, Response>;

afterEach(cleanup);

function row(id: string, orderName: string, actions: LoaderData["cases"][number]["actions"]) {
  return {
    id,
    kind: "invoice" as const,
    status: "running" as const,
    orderName,
    customer: "Erika Mustermann",
    outstandingMinor: 11_990,
    currency: "EUR",
    dueDate: "2026-11-01",
    dunningLevel: "reminder_1" as const,
    partnerSubStatus: null,
    cancellationRequested: false,
    nextActionDate: "2026-11-30",
    actions,
  };
}

/** The list under a data router: the index route's action records what was posted and answers as told. */
function renderList(locale: Locale, answer: ActionData) {
  const posted: Record<string, FormDataEntryValue | FormDataEntryValue[]>[] = [];
  const counts = {
    ...(Object.fromEntries(CASE_STATUSES.map((status) => [status, 0])) as Record<
      (typeof CASE_STATUSES)[number],
      number
    >),
    all: 2,
    running: 2,
    capped: [],
  } as LoaderData["counts"];
  const data = {
    invalidFilter: false,
    importRun: null,
    timezone: "Europe/Berlin",
    currency: "EUR",
    today: "2026-11-23T10:00:00.000Z",
    counts,
    nextCursor: null,
    cases: [row("case-1", "#1001", ["start", "cancel"]), row("case-2", "#1002", ["cancel"])],
  } as LoaderData;
  const router = createMemoryRouter(
    [
      {
        path: "/app",
        children: [
          {
            index: true,
            loader: () => data,
            action: async ({ request }) => {
              const form = await request.formData();
              posted.push({ ...Object.fromEntries(form), ids: form.getAll("ids") });
              return answer;
            },
            element: (
              <Providers locale={locale}>
                <CasesIndex />
              </Providers>
            ),
          },
          { path: "cases/:caseId", element: <p>case page</p> },
        ],
      },
    ],
    { initialEntries: [`/app?locale=${locale}`] },
  );
  render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
  return { posted, router };
}

describe.each(["de", "en"] as Locale[])("acting on cases from the list in %s", (locale) => {
  const t = translator(locale);

  test("a row offers only its allowed actions; its button asks for a reason, posts that case alone and reports the result", async () => {
    const user = userEvent.setup();
    const { posted, router } = renderList(locale, { ok: true, action: "start", succeeded: 1, failures: [] });
    await screen.findByText("#1001", {}, { timeout: 10_000 });
    expect(screen.queryByRole("button", { name: t("row.startLabel", { order: "#1002" }) })).toBeNull();
    expect(screen.getByRole("button", { name: t("row.cancelLabel", { order: "#1002" }) })).toBeTruthy();

    await user.click(screen.getByRole("button", { name: t("row.startLabel", { order: "#1001" }) }));
    // The button acts; it does not open the case as a click on the row would.
    expect(router.state.location.pathname).toBe("/app");
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText(t("bulk.confirmStart", { count: 1 }))).toBeTruthy();
    await user.type(within(dialog).getByLabelText(t("action.reason"), { exact: false }), "Kunde hat nicht gezahlt");
    await user.click(within(dialog).getByRole("button", { name: t("action.confirm") }));

    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toEqual({
      intent: "start",
      scope: "selected",
      reason: "Kunde hat nicht gezahlt",
      ids: ["case-1"],
    });
    expect(
      await screen.findByText(t("bulk.result.started", { succeeded: 1, failed: 0 }), { exact: false }),
    ).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  test("a click on a row opens its case, keeping the language", async () => {
    const user = userEvent.setup();
    const { router } = renderList(locale, { ok: false, reasonError: "action.invalid" });
    await user.click(await screen.findByText("#1002", {}, { timeout: 10_000 }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/app/cases/case-2"));
    expect(router.state.location.search).toBe(`?locale=${locale}`);
  });

  test("a refused reason stays in the open dialog", async () => {
    const user = userEvent.setup();
    const { posted } = renderList(locale, { ok: false, reasonError: "action.reasonTooLong" });
    await user.click(
      await screen.findByRole("button", { name: t("row.cancelLabel", { order: "#1002" }) }, { timeout: 10_000 }),
    );
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText(t("action.reason"), { exact: false }), "zu lang");
    await user.click(within(dialog).getByRole("button", { name: t("action.confirm") }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(await within(dialog).findByText(t("action.reasonTooLong"))).toBeTruthy();
    expect(screen.getByRole("dialog")).toBeTruthy();
  });
});
