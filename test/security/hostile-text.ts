// Run by hostile-text.test.ts in its own process (tsx), so that a pattern or loop that blocks the event loop is
// killed by the parent's deadline instead of hanging the test run. Prints one "ok <name> <ms>" line per check.
import { unknownPlaceholders, validateReminderText } from "#app/mail/reminder-templates";
import { parseSettingsForm } from "#app/services/settings/settings.server";
import { renderSampleLetter } from "#test/support/letter";

const MB = 1_000_000;
const hostile = `{{${" ".repeat(MB)}x`;

const checks: [string, () => unknown][] = [
  ["placeholder scan of {{ + 1 MB of spaces", () => unknownPlaceholders(hostile)],
  ["placeholder scan of 1 MB of {{ }} pairs", () => unknownPlaceholders("{{ a }}".repeat(MB / 7))],
  [
    "validation of a 1 MB template",
    () => validateReminderText("reminder_1.de", { subject: "Erinnerung", body: hostile }),
  ],
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
      return renderSampleLetter({ name: "W".repeat(10_000), street: "S".repeat(10_000) });
    },
  ],
];

for (const [name, check] of checks) {
  const started = performance.now();
  await check();
  process.stdout.write(`ok ${name} ${Math.round(performance.now() - started)}\n`);
}
