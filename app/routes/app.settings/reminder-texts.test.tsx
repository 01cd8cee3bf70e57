// @vitest-environment happy-dom
import { cleanup, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";

import { type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { DEFAULT_REMINDER_TEXTS } from "#app/mail/reminder-templates";
import { renderInTab } from "#test/support/render";

import { ReminderTexts, ReminderTextsSection } from "./reminder-texts";

afterEach(cleanup);

// happy-dom lays nothing out (every width is 0), so Polaris would move all tabs but the open one into a "more" menu
// once it has measured them. A tab bar as wide as on a desktop keeps them all in view.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, "offsetWidth", "get").mockReturnValue(1200);
});
afterAll(() => {
  vi.restoreAllMocks();
});

const STORED = { "reminder_2.en": { subject: "Second notice {{orderNumber}} from {{shopName}}", body: "Please pay." } };

describe.each(["de", "en"] as Locale[])("reminder texts in %s", (locale) => {
  const t = translator(locale);
  // Polaris renders a second set of tabs to measure them; the real ones are in the tab list.
  const tabs = () => within(screen.getByRole("tablist"));
  const tab = (level: string, language: string) =>
    tabs().getByRole("tab", { name: new RegExp(`^${t(`level.${level}` as MessageKey)} \\(${language}\\)`) });
  // Every text is in the page; only the open tab's is not hidden.
  const visible = (label: MessageKey) =>
    screen.getAllByLabelText(t(label)).find((field) => !field.closest("[hidden]")) as HTMLInputElement;

  test("one tab per level and language; a tab opens its text, the stored one or else the default, and previews it", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(<ReminderTexts reminderTexts={STORED} shopName="Wollwerk" err={() => undefined} />, locale);
    expect(
      tabs()
        .getAllByRole("tab")
        .map((el) => el.textContent),
    ).toEqual(
      ["reminder_1", "reminder_2", "final_reminder"].flatMap((level) =>
        ["DE", "EN"].map((language) => `${t(`level.${level}` as MessageKey)} (${language})`),
      ),
    );
    expect(visible("settings.text.subject").value).toBe(DEFAULT_REMINDER_TEXTS.reminder_1.de.subject);
    expect(screen.getByText("Zahlungserinnerung zu Ihrer Bestellung #1001")).toBeTruthy();

    await user.click(tab("reminder_1", "EN"));
    expect(visible("settings.text.subject").value).toBe(DEFAULT_REMINDER_TEXTS.reminder_1.en.subject);
    expect(screen.queryByText("Zahlungserinnerung zu Ihrer Bestellung #1001")).toBeNull();

    await user.click(tab("reminder_2", "EN"));
    expect(visible("settings.text.subject").value).toBe(STORED["reminder_2.en"].subject);
    expect(visible("settings.text.body").value).toBe("Please pay.");
    // The preview uses sample data, but the shop's own name.
    expect(screen.getByText("Second notice #1001 from Wollwerk")).toBeTruthy();
  });

  test("an edit shows in the preview at once, an unknown placeholder is named, and the edit stays when switching tabs", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(<ReminderTexts reminderTexts={{}} shopName="Wollwerk" err={() => undefined} />, locale);
    await user.click(tab("final_reminder", "EN"));
    await user.clear(visible("settings.text.subject"));
    await user.type(visible("settings.text.subject"), "Last call ");
    await user.paste("{{orderNumber}}");
    expect(screen.getByText("Last call #1001")).toBeTruthy();

    await user.paste(" {{nope}}");
    expect(screen.getByText(t("form.error.placeholders", { placeholders: "{{nope}}" }))).toBeTruthy();

    await user.click(tab("final_reminder", "DE"));
    expect(screen.queryByText(t("form.error.placeholders", { placeholders: "{{nope}}" }))).toBeNull();
    await user.click(tab("final_reminder", "EN"));
    expect(visible("settings.text.subject").value).toBe("Last call {{orderNumber}} {{nope}}");
  });

  test("every text is posted, those in closed tabs too", async () => {
    const user = userEvent.setup({ delay: null });
    const { container } = renderInTab(
      <form>
        <ReminderTextsSection reminderTexts={STORED} shopName="Wollwerk" err={() => undefined} />
      </form>,
      locale,
    );
    await user.type(visible("settings.text.body"), " Danke.");
    await user.click(tab("reminder_2", "DE"));
    const posted = Object.fromEntries(new FormData(container.querySelector("form")!));
    expect(Object.keys(posted)).toHaveLength(12);
    expect(posted["reminderTexts.reminder_1.de.body"]).toBe(`${DEFAULT_REMINDER_TEXTS.reminder_1.de.body} Danke.`);
    expect(posted["reminderTexts.reminder_2.en.subject"]).toBe(STORED["reminder_2.en"].subject);
    expect(posted["reminderTexts.final_reminder.en.subject"]).toBe(DEFAULT_REMINDER_TEXTS.final_reminder.en.subject);
  });

  test("the tab of a text with an error is marked, and the error shows at its field", async () => {
    const user = userEvent.setup({ delay: null });
    renderInTab(
      <ReminderTexts
        reminderTexts={{}}
        shopName="Wollwerk"
        err={(field) => (field === "reminderTexts.reminder_2.en.body" ? "too long" : undefined)}
      />,
      locale,
    );
    expect(tab("reminder_2", "EN").textContent).toContain("!");
    expect(tab("reminder_2", "DE").textContent).not.toContain("!");
    await user.click(tab("reminder_2", "EN"));
    expect(visible("settings.text.body").getAttribute("aria-invalid")).toBe("true");
    expect(visible("settings.text.subject").getAttribute("aria-invalid")).toBe("false");
  });
});
