// Run by hostile-text.test.ts in its own process (tsx), so that a pattern or loop that blocks the event loop is
// killed by the parent's deadline instead of hanging the test run. Prints one "ok <name> <ms>" line per check.
import { renderReminderLetter } from "#app/mail/reminder-letter.server";
import { renderReminder, unknownPlaceholders, validateReminderText } from "#app/mail/reminder-templates";
import { claimTotals } from "#app/domain/dunning/interest";
import { money } from "#app/domain/money";
import { parseSettingsForm } from "#app/services/settings.server";

const MB = 1_000_000;
const hostile = `{{${" ".repeat(MB)}x`;

const checks: [string, () => unknown][] = [
  ["placeholder scan of {{ + 1 MB of spaces", () => unknownPlaceholders(hostile)],
  ["placeholder scan of 1 MB of {{ }} pairs", () => unknownPlaceholders("{{ a }}".repeat(MB / 7))],
  ["validation of a 1 MB template", () => validateReminderText("reminder_1.de", { subject: "Erinnerung", body: hostile })],
  [
    "settings form with a 1 MB template",
    () => {
      const form = new FormData();
      form.set("reminderTexts.reminder_1.de.subject", "Erinnerung");
      form.set("reminderTexts.reminder_1.de.body", hostile);
      return parseSettingsForm(form, "EUR");
    },
  ],
  [
    "letter for a 10,000-character name",
    async () => {
      const data = {
        customerName: "W".repeat(10_000),
        orderNumber: "#1001",
        amount: money(4_990, "EUR"),
        originalDueDate: "2026-01-15",
        fees: money(0, "EUR"),
        interest: money(0, "EUR"),
        total: money(4_990, "EUR"),
        paymentDeadline: "2026-02-01",
        paymentInstructions: "IBAN: DE02 1203 0000 0000 2020 51",
        shopName: "Wollwerk",
        shopContact: "shop@wollwerk.example",
      };
      const reminder = renderReminder({ level: "reminder_1", language: "de", data });
      const totals = claimTotals({ outstanding: data.amount, feesPerLevelSent: {}, interest: data.interest, flatFee: null });
      if (!reminder.ok || !totals.ok) throw new Error("reminder refused");
      const address = { name: data.customerName, street: "S".repeat(10_000), postalCode: "20457", city: "Hamburg", country: "DE" };
      return renderReminderLetter({ language: "de", sender: address, recipient: address, date: "2026-02-01", orderNumber: "#1001", reminder: reminder.value, totals: totals.value });
    },
  ],
];

for (const [name, check] of checks) {
  const started = performance.now();
  await check();
  process.stdout.write(`ok ${name} ${Math.round(performance.now() - started)}\n`);
}
