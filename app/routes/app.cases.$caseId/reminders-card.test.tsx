// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, translator } from "#app/i18n/i18n";
import { renderInTab } from "#test/support/render";

import type { CaseData } from "./case-data";
import { RemindersCard } from "./reminders-card";

afterEach(cleanup);

const reminders: CaseData["reminders"] = [
  { seq: 4, level: "reminder_1", occurredAt: "2026-02-10T06:00:00.000Z" },
  { seq: 9, level: "final_reminder", occurredAt: "2026-03-03T06:00:00.000Z" },
];

describe.each(["de", "en"] as Locale[])("reminders card in %s", (locale) => {
  const t = translator(locale);
  const search = new URLSearchParams(`locale=${locale}`);

  test("lists the reminders sent and links the letter and the access log, keeping the page's language", () => {
    renderInTab(
      <RemindersCard
        caseId="case-1"
        reminders={reminders}
        letter={{ available: true, level: "final_reminder" }}
        timezone="Europe/Berlin"
        search={search}
      />,
      locale,
    );
    const sent = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(sent).toEqual([
      `${t("level.reminder_1")} · ${locale === "de" ? "10.02.2026, 07:00" : "10 Feb 2026, 07:00"}`,
      `${t("level.final_reminder")} · ${locale === "de" ? "03.03.2026, 07:00" : "3 Mar 2026, 07:00"}`,
    ]);
    const letter = screen.getByRole("link", { name: t("case.letter.help", { level: t("level.final_reminder") }) });
    expect(letter.getAttribute("href")).toBe(`/app/cases/case-1/letter.pdf?locale=${locale}`);
    expect(screen.getByRole("link", { name: t("case.accessLog") }).getAttribute("href")).toBe(
      `/app/access-log?case=case-1&locale=${locale}`,
    );
  });

  test("without the shop's postal address there is no letter, and it says what is missing", () => {
    renderInTab(
      <RemindersCard
        caseId="case-1"
        reminders={[]}
        letter={{ available: false, level: "reminder_1" }}
        timezone="Europe/Berlin"
        search={search}
      />,
      locale,
    );
    expect(screen.getByText(t("case.noReminders"))).toBeTruthy();
    expect(screen.getByText(t("case.letter.needsAddress"))).toBeTruthy();
    expect(screen.getAllByRole("link").map((a) => a.textContent)).toEqual([t("case.accessLog")]);
  });
});
