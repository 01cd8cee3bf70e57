// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, test, vi } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import type { CaseData } from "./case-data";
import { DebtorCard } from "./debtor-card";

afterEach(cleanup);

const business: CaseData["debtor"] = { kind: "business", basis: "vat_id", vatId: "DE123456789", canClassify: true };
const consumer: CaseData["debtor"] = { kind: "consumer", basis: "no_signal", vatId: null, canClassify: true };

describe.each(["de", "en"] as Locale[])("debtor card in %s", (locale) => {
  const t = translator(locale);

  test("shows the kind, the basis with the VAT id, and what follows from it", () => {
    renderInTab(<DebtorCard debtor={business} onClassify={() => undefined} />, locale);
    expect(screen.getByText(t("debtor.kind.business"))).toBeTruthy();
    expect(screen.getByText(t("debtor.basis.vat_id", { vatId: "DE123456789" }))).toBeTruthy();
    expect(screen.getByText(t("debtor.effect.business"))).toBeTruthy();
    expect(screen.queryByText(t("debtor.effect.consumer"))).toBeNull();
  });

  test.each([
    [business, "action.classify_consumer", "classify_consumer"],
    [consumer, "action.classify_business", "classify_business"],
  ] as const)("offers the other kind: %j", async (debtor, label, intent) => {
    const onClassify = vi.fn();
    renderInTab(<DebtorCard debtor={debtor} onClassify={onClassify} />, locale);
    await userEvent.setup({ delay: null }).click(screen.getByRole("button", { name: t(label) }));
    expect(onClassify).toHaveBeenCalledExactlyOnceWith(intent);
  });

  test("once the partner holds the claim there is no classify button, but the classification still shows", () => {
    renderInTab(<DebtorCard debtor={{ ...consumer, canClassify: false }} onClassify={() => undefined} />, locale);
    expect(screen.getByText(t("debtor.basis.no_signal"))).toBeTruthy();
    expect(screen.queryAllByRole("button")).toEqual([]);
  });
});
