// @vitest-environment happy-dom
import { cleanup, getDefaultNormalizer, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import type { CaseEvent } from "./case-data";
import { CaseTimeline } from "./case-timeline";

afterEach(cleanup);

const detail: CaseEvent["detail"] = {
  reasons: [],
  level: null,
  subStatus: null,
  amountMinor: null,
  side: null,
  automatic: false,
};
// As the loader returns them: oldest first.
const events: CaseEvent[] = [
  {
    seq: 1,
    type: "case_opened",
    actorType: "platform",
    actorId: "shopify",
    actorName: null,
    reason: null,
    occurredAt: "2026-01-15T08:05:00.000Z",
    detail,
  },
  {
    seq: 2,
    type: "case_started",
    actorType: "staff",
    actorId: "staff-7",
    actorName: "Anna",
    reason: "Kunde nicht erreicht",
    occurredAt: "2026-03-01T09:30:00.000Z",
    detail,
  },
  {
    seq: 3,
    type: "payment_received",
    actorType: "partner",
    actorId: "riverty",
    actorName: null,
    reason: null,
    occurredAt: "2026-07-20T22:45:00.000Z",
    detail: { ...detail, amountMinor: 5_000, side: "partner", reasons: ["missing_city", "some_new_check"] },
  },
];

// Written out rather than computed, so the page's language and the shop's time zone (Berlin, summer and winter time) are pinned.
const dates = {
  de: ["21.07.2026, 00:45", "01.03.2026, 10:30", "15.01.2026, 09:05"],
  en: ["21 Jul 2026, 00:45", "1 Mar 2026, 10:30", "15 Jan 2026, 09:05"],
};
const fifty = { de: "50,00\u00a0€", en: "€50.00" };
// Without collapsing whitespace, so the no-break space in "50,00 €" is compared as it is.
const exact = { normalizer: getDefaultNormalizer({ collapseWhitespace: false }) };

describe.each(["de", "en"] as Locale[])("case timeline in %s", (locale) => {
  const t = translator(locale);

  test("lists events newest first, each with its date in the page's language and who did it", () => {
    renderInTab(<CaseTimeline events={events} currency="EUR" timezone="Europe/Berlin" />, locale);
    const items = within(screen.getByRole("list")).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector("time")?.textContent)).toEqual(dates[locale]);
    expect(items.map((li) => li.querySelector("time")?.getAttribute("dateTime"))).toEqual(
      [...events].reverse().map((e) => e.occurredAt),
    );
    expect(within(items[0]!).getByText(`${t("event.payment_received")}: ${fifty[locale]}`, exact)).toBeTruthy();
    expect(within(items[0]!).getByText(t("payment.partner"))).toBeTruthy();
    // A check without a message of its own is shown by its code.
    expect(within(items[0]!).getByText(`${t("check.missing_city")}, some_new_check`)).toBeTruthy();
    expect(items[1]!.textContent).toContain(`${t("actor.staff")}: Anna (staff-7)`);
    expect(within(items[1]!).getByText(t("case.reasonLabel", { reason: "Kunde nicht erreicht" }))).toBeTruthy();
    expect(items[2]!.textContent).toContain(`${t("actor.platform")}: shopify`);
  });

  test("says so when nothing has happened yet", () => {
    renderInTab(<CaseTimeline events={[]} currency="EUR" timezone="Europe/Berlin" />, locale);
    expect(screen.getByText(t("case.noEvents"))).toBeTruthy();
  });
});
