// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import { CaseWarnings } from "./case-warnings";
import { CustomerCard } from "./customer-card";
import { PartnerCard } from "./partner-card";

afterEach(cleanup);

// The small parts of the page: warnings above the cards, the customer and the partner card beside them.
describe.each(["de", "en"] as Locale[])("case cards in %s", (locale) => {
  const t = translator(locale);
  const renderIn = (ui: ReactNode) => renderInTab(ui, locale);

  test("warnings name each failed check and block; a block without a message of its own shows its code", () => {
    renderIn(<CaseWarnings failureReasons={["missing_street"]} blockReasons={["dispute_open", "partner_hold"]} />);
    expect(screen.getByText(t("case.failureReasons"))).toBeTruthy();
    expect(screen.getByText(t("check.missing_street"))).toBeTruthy();
    expect(screen.getByText(t("case.blockReasons"))).toBeTruthy();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      t("check.missing_street"),
      t("block.dispute_open"),
      "partner_hold",
    ]);
  });

  test("no reasons, no warnings", () => {
    const { container } = renderIn(<CaseWarnings failureReasons={[]} blockReasons={[]} />);
    expect(container.textContent).toBe("");
  });

  test("the customer card shows the address and opens the order in the platform's admin, where there is one", () => {
    const url = "https://admin.shopify.com/store/wollwerk/orders/42";
    const { unmount } = renderIn(
      <CustomerCard
        address={["Erika Mustermann", "10115 Berlin"]}
        orderUrl={url}
        orderPayment="paid"
        blockPreviewUrl="/app/preview/order-block/42"
      />,
    );
    expect(screen.getByText("Erika Mustermann")).toBeTruthy();
    expect(screen.getByText(t("case.orderPayment", { status: t("financialStatus.paid") }))).toBeTruthy();
    expect(screen.getByRole("link", { name: t("case.openOrder") }).getAttribute("href")).toBe(url);
    expect(screen.getByRole("link", { name: t("orderBlock.previewLink") }).getAttribute("href")).toBe(
      "/app/preview/order-block/42",
    );
    unmount();
    renderIn(
      <CustomerCard address={["Erika Mustermann"]} orderUrl={null} orderPayment={null} blockPreviewUrl={null} />,
    );
    expect(screen.queryByRole("link")).toBeNull();
  });

  test("the partner card shows the reference and the partner's status, and only once there is any", () => {
    const { unmount } = renderIn(
      <PartnerCard
        partnerReference="AZ-2026-0042"
        partnerSubStatus="payment_plan"
        cancellationRequested
        partner={{ directPaymentReport: true, portal: null }}
      />,
    );
    expect(screen.getByText(t("case.partnerReference")).nextElementSibling?.textContent).toBe("AZ-2026-0042");
    expect(screen.getByText(t("case.partnerStatus")).nextElementSibling?.textContent).toBe(t("partner.payment_plan"));
    expect(screen.getByText(t("case.cancellationRequested"))).toBeTruthy();
    unmount();
    const { container } = renderIn(
      <PartnerCard partnerReference={null} partnerSubStatus={null} cancellationRequested={false} partner={null} />,
    );
    expect(container.textContent).toBe("");
  });

  test("a partner that takes no payment reports: the card says where the shop reports a payment itself", () => {
    const portal = "https://mandanten.mediafinanz.de";
    const { unmount } = renderIn(
      <PartnerCard
        partnerReference="10000005001"
        partnerSubStatus="received"
        cancellationRequested={false}
        partner={{ directPaymentReport: false, portal }}
      />,
    );
    expect(screen.getByText(t("case.partner.reportPaymentsInPortal", { portal }))).toBeTruthy();
    unmount();
    renderIn(
      <PartnerCard
        partnerReference="RV-1"
        partnerSubStatus="received"
        cancellationRequested={false}
        partner={{ directPaymentReport: true, portal: null }}
      />,
    );
    expect(screen.queryByText(t("case.partner.reportPaymentsInPortal", { portal }))).toBeNull();
  });
});
