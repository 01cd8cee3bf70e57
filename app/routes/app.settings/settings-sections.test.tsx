// @vitest-environment happy-dom
import { cleanup, getDefaultNormalizer, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { type ReactNode, useState } from "react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { SETTINGS_DEFAULTS } from "#app/domain/settings";
import { intlLocale, type Locale, translator } from "#app/i18n/i18n";
import { formatDate, formatMinor } from "#app/utils/format";
import { Providers, renderInTab } from "#test/support/render";

import { BankMissingBanner, BankSection } from "./bank-section";
import { DunningOptionSection } from "./dunning-option-section";
import { HandoverSection } from "./handover-section";
import { InvoiceSection } from "./invoice-section";
import { SaveResultBanners } from "./save-result-banners";
import { useSaveResult } from "./use-save-result";
import { autoHandoverChoice } from "./use-settings-choices";
import { WriteBackSection } from "./write-back-section";

afterEach(cleanup);

const noErrors = () => undefined;
const posted = (container: HTMLElement) => Object.fromEntries(new FormData(container.querySelector("form")!));

test("the auto-handover select shows a preset amount as itself and any other amount as custom", () => {
  expect(autoHandoverChoice({ mode: "off" })).toBe("off");
  expect(autoHandoverChoice({ mode: "all" })).toBe("all");
  expect(autoHandoverChoice({ mode: "threshold", minimumMajor: 500 })).toBe("500");
  expect(autoHandoverChoice({ mode: "threshold", minimumMajor: 333 })).toBe("custom");
});

describe.each(["de", "en"] as Locale[])("settings sections in %s", (locale) => {
  const t = translator(locale);

  test("auto handover: the amount field is there only for a custom amount, and starts from the stored one", async () => {
    const user = userEvent.setup({ delay: null });
    function Handover() {
      const [auto, setAuto] = useState("off");
      return (
        <form>
          <HandoverSection
            settings={{ autoHandover: { mode: "threshold", minimumMajor: 333 }, chargebackAutoHandover: false }}
            currency="CHF"
            auto={auto}
            onAutoChange={setAuto}
            err={noErrors}
          />
        </form>
      );
    }
    const { container } = renderInTab(<Handover />, locale);
    const amount = () => screen.queryByLabelText(t("settings.autoHandover.customAmount")) as HTMLInputElement | null;
    expect(amount()).toBeNull();
    await user.selectOptions(screen.getByLabelText(t("settings.autoHandover")), "custom");
    expect(amount()?.value).toBe("333");
    expect(posted(container)).toEqual({ autoHandover: "custom", autoHandoverCustom: "333" });
    await user.selectOptions(screen.getByLabelText(t("settings.autoHandover")), "1000");
    expect(amount()).toBeNull();
  });

  test("dunning option: while locked only the stored option can be chosen, and the banner says from when", () => {
    const unlocksOn = "2026-05-04";
    renderInTab(
      <DunningOptionSection stored="B" unlocksOn={unlocksOn} option="B" onChange={() => {}} err={noErrors} />,
      locale,
    );
    expect(
      screen.getByText(t("settings.dunningOption.lockedUntil", { date: formatDate(unlocksOn, intlLocale(locale)) })),
    ).toBeTruthy();
    expect((screen.getByLabelText(t("settings.dunningOption.A")) as HTMLInputElement).disabled).toBe(true);
    const b = screen.getByLabelText(t("settings.dunningOption.B")) as HTMLInputElement;
    expect(b.disabled).toBe(false);
    expect(b.checked).toBe(true);
  });

  test("dunning option: unlocked, both can be chosen and the choice is reported", async () => {
    const user = userEvent.setup({ delay: null });
    const chosen: string[] = [];
    renderInTab(
      <DunningOptionSection stored="A" unlocksOn={null} option="A" onChange={(o) => chosen.push(o)} err={noErrors} />,
      locale,
    );
    expect(screen.queryByText(/2026/)).toBeNull();
    await user.click(screen.getByLabelText(t("settings.dunningOption.B")));
    expect(chosen).toEqual(["B"]);
  });

  test("invoice: the VAT id meta keys are a WooCommerce setting only", () => {
    const { unmount } = renderInTab(
      <InvoiceSection settings={SETTINGS_DEFAULTS} platform="woocommerce" err={noErrors} />,
      locale,
    );
    expect((screen.getByLabelText(t("settings.vatIdMetaKeys")) as HTMLTextAreaElement).value).toBe(
      SETTINGS_DEFAULTS.vatIdMetaKeys.join("\n"),
    );
    unmount();
    renderInTab(<InvoiceSection settings={SETTINGS_DEFAULTS} platform="shopify" err={noErrors} />, locale);
    expect(screen.queryByLabelText(t("settings.vatIdMetaKeys"))).toBeNull();
    expect((screen.getByLabelText(t("settings.invoicePaymentMethods")) as HTMLTextAreaElement).value).toBe(
      SETTINGS_DEFAULTS.invoicePaymentMethods.join("\n"),
    );
  });

  test("write-back: the description names the shop's platform", () => {
    const { unmount } = renderInTab(
      <WriteBackSection writeBack={SETTINGS_DEFAULTS.writeBack} platform="woocommerce" />,
      locale,
    );
    expect(screen.getByText(t("settings.section.writeBack.woo"))).toBeTruthy();
    unmount();
    renderInTab(<WriteBackSection writeBack={SETTINGS_DEFAULTS.writeBack} platform="shopify" />, locale);
    expect(screen.getByText(t("settings.section.writeBack.help"))).toBeTruthy();
  });

  test("bank account: a stored IBAN is shown in groups of four, none stored shows empty fields", () => {
    const { unmount } = renderInTab(
      <BankSection
        bankAccount={{ holder: "Wollwerk GmbH", iban: "DE89370400440532013000", bic: null }}
        paymentOptions={{ giroCode: true, payNowLink: false }}
        err={noErrors}
      />,
      locale,
    );
    // The ways to pay post "on" or "off" explicitly, so an unticked box is told apart from an older form.
    const posted = (name: string) =>
      [...document.querySelectorAll<HTMLInputElement>(`input[type=hidden][name="${name}"]`)].map((i) => i.value);
    expect(posted("paymentOptions.giroCode")).toEqual(["on"]);
    expect(posted("paymentOptions.payNowLink")).toEqual(["off"]);
    expect((screen.getByLabelText(t("settings.paymentOptions.giroCode")) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText(t("settings.bank.iban")) as HTMLInputElement).value).toBe(
      "DE89 3704 0044 0532 0130 00",
    );
    expect((screen.getByLabelText(t("settings.bank.bic")) as HTMLInputElement).value).toBe("");
    unmount();
    renderInTab(
      <>
        <BankMissingBanner />
        <BankSection bankAccount={null} paymentOptions={SETTINGS_DEFAULTS.paymentOptions} err={noErrors} />
      </>,
      locale,
    );
    expect((screen.getByLabelText(t("settings.bank.iban")) as HTMLInputElement).value).toBe("");
    expect(screen.getByText(t("settings.bank.missing"))).toBeTruthy();
  });

  test("the save result: saved, a concurrent save, or how many fields are wrong", () => {
    const { rerender } = renderInTab(<SaveResultBanners result={{ ok: true, version: 4 }} />, locale);
    expect(screen.getByText(t("settings.saved"))).toBeTruthy();
    const wrap = (ui: ReactNode) => <Providers locale={locale}>{ui}</Providers>;
    rerender(wrap(<SaveResultBanners result={{ ok: false, conflict: true, errors: {} }} />));
    expect(screen.getByText(t("settings.conflict.title"))).toBeTruthy();
    expect(screen.queryByText(t("settings.saved"))).toBeNull();
    rerender(
      wrap(
        <SaveResultBanners
          result={{ ok: false, errors: { a: { key: "form.error.invalid" }, b: { key: "form.error.invalid" } } }}
        />,
      ),
    );
    expect(screen.getByText(t("settings.invalid", { count: 2 }))).toBeTruthy();
    expect(screen.queryByText(t("settings.conflict.title"))).toBeNull();
    rerender(wrap(<SaveResultBanners result={undefined} />));
    expect(screen.queryByRole("status")).toBeNull();
  });

  test("an answer with an intent belongs to the partner form, one without to the settings form", async () => {
    let answer: Record<string, unknown> = {
      ok: false,
      errors: { "fees.reminder_2": { key: "form.error.feeMax", values: { maxMinor: 500 } } },
    };
    function Probe() {
      const { result, partnerResult, err } = useSaveResult("EUR");
      return (
        <form method="post">
          <p>settings:{result ? "yes" : "no"}</p>
          <p>partner:{partnerResult ? "yes" : "no"}</p>
          <p>error:{err("fees.reminder_2") ?? "none"}</p>
          <button type="submit">go</button>
        </form>
      );
    }
    const router = createMemoryRouter(
      [
        {
          path: "/",
          action: () => answer,
          element: (
            <Providers locale={locale}>
              <Probe />
            </Providers>
          ),
        },
      ],
      { initialEntries: ["/"] },
    );
    render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
    await router.navigate("/", { formMethod: "post", formData: new FormData() });
    // The amount in minor units comes out in the shop's currency and the page's language.
    const maxFee = formatMinor(500, "EUR", intlLocale(locale));
    expect(
      await screen.findByText(`error:${t("form.error.feeMax", { maxMinor: maxFee })}`, {
        normalizer: getDefaultNormalizer({ collapseWhitespace: false }),
      }),
    ).toBeTruthy();
    expect(screen.getByText("settings:yes")).toBeTruthy();
    expect(screen.getByText("partner:no")).toBeTruthy();

    answer = { intent: "partner", ok: false, errors: { "fees.reminder_2": { key: "form.error.invalid" } } };
    await router.navigate("/", { formMethod: "post", formData: new FormData() });
    expect(await screen.findByText("partner:yes")).toBeTruthy();
    expect(screen.getByText("settings:no")).toBeTruthy();
    // A partner form's errors are not the settings form's.
    expect(screen.getByText("error:none")).toBeTruthy();
  });
});
