// @vitest-environment happy-dom
import { cleanup, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test, vi } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import { ActionResultBanner } from "./action-result-banner";
import { CaseStatusBadge } from "./case-status-badge";
import { Field } from "./field";
import { ReasonModal } from "./reason-modal";

afterEach(cleanup);

describe.each(["de", "en"] as Locale[])("components in %s", (locale) => {
  const t = translator(locale);

  test("the status badge names the status, the partner's sub-status only for a claim it holds, and a pending cancellation", () => {
    const { unmount } = renderInTab(
      <CaseStatusBadge status="handed_over" partnerSubStatus="payment_plan" cancellationRequested />,
      locale,
    );
    expect(screen.getByText(t("status.handed_over"))).toBeTruthy();
    expect(screen.getByText(t("partner.payment_plan"))).toBeTruthy();
    expect(screen.getByText(t("case.cancellationRequested"))).toBeTruthy();
    unmount();
    renderInTab(<CaseStatusBadge status="running" partnerSubStatus="payment_plan" />, locale);
    expect(screen.getByText(t("status.running"))).toBeTruthy();
    expect(screen.queryByText(t("partner.payment_plan"))).toBeNull();
    expect(screen.queryByText(t("case.cancellationRequested"))).toBeNull();
  });

  test("a field shows its label over its value", () => {
    renderInTab(<Field label={t("case.outstanding")} value="119,90 €" />, locale);
    const label = screen.getByText(t("case.outstanding"));
    expect(label.parentElement?.textContent).toBe(`${t("case.outstanding")}119,90 €`);
  });

  test("the result banner counts and explains each failure in the admin's language", () => {
    renderInTab(
      <ActionResultBanner
        action="start"
        succeeded={3}
        failures={[
          { caseId: "a", orderName: "#1001", code: "precheck_failed", message: "missing_street, missing_city" },
          { caseId: "b", orderName: "#1002", code: "transition_not_allowed", message: "from closed" },
          { caseId: "c", orderName: "", code: "partner_down", message: "Partner did not answer" },
        ]}
      />,
      locale,
    );
    expect(screen.getByText(t("bulk.result.started", { succeeded: 3, failed: 3 }))).toBeTruthy();
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      `#1001: ${t("check.missing_street")}, ${t("check.missing_city")}`,
      `#1002: ${t("refusal.transition_not_allowed")}`,
      // An unknown code has no translation: the service's own message is shown rather than a key.
      "c: Partner did not answer",
    ]);
  });

  test.each(["start", "cancel"] as const)(
    "the reason modal for %s refuses to submit without a reason",
    async (intent) => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      const onClose = vi.fn();
      renderInTab(<ReasonModal intent={intent} submitting={false} onSubmit={onSubmit} onClose={onClose} />, locale);
      const dialog = await screen.findByRole("dialog", undefined, { timeout: 10_000 }); // not the default 1 s: a loaded machine renders slowly
      expect(within(dialog).getByText(t(intent === "start" ? "action.startTitle" : "action.cancelTitle"))).toBeTruthy();
      const confirm = within(dialog).getByRole("button", { name: t("action.confirm") });

      await user.click(confirm);
      expect(onSubmit).not.toHaveBeenCalled();
      expect(within(dialog).getByText(t("action.reasonRequired"))).toBeTruthy();
      const reason = within(dialog).getByLabelText(new RegExp(t("action.reason")));
      expect(reason.getAttribute("aria-invalid")).toBe("true");

      await user.type(reason, "   ");
      await user.click(confirm);
      expect(onSubmit).not.toHaveBeenCalled();

      await user.type(reason, " Kunde hat angerufen ");
      expect(within(dialog).queryByText(t("action.reasonRequired"))).toBeNull();
      await user.click(confirm);
      expect(onSubmit).toHaveBeenCalledExactlyOnceWith("Kunde hat angerufen");

      // The footer's Close (the header's ✕ has the same accessible name in Polaris).
      const close = within(dialog)
        .getAllByRole("button", { name: t("action.close") })
        .find((b) => b.textContent === t("action.close"));
      await user.click(close!);
      expect(onClose).toHaveBeenCalled();
    },
  );

  test("the reason modal shows the server's refusal at the field", async () => {
    renderInTab(
      <ReasonModal
        intent="cancel"
        submitting={false}
        serverError={t("action.reasonTooLong")}
        onSubmit={() => undefined}
        onClose={() => undefined}
      />,
      locale,
    );
    const dialog = await screen.findByRole("dialog", undefined, { timeout: 10_000 }); // not the default 1 s: a loaded machine renders slowly
    expect(within(dialog).getByText(t("action.reasonTooLong"))).toBeTruthy();
  });
});
