// A valid Claim for adapter and sandbox tests (and the demo): Erika Mustermann owes 119.99 EUR.
import { type Claim, ClaimSchema } from "./collection-partner";

const eur = (amountMinor: number) => ({ amountMinor, currency: "EUR" });

export function sampleClaim(
  overrides: { invoiceNumber?: string; lastName?: string; outstandingMinor?: number } = {},
): Claim {
  const outstanding = overrides.outstandingMinor ?? 11_999;
  return ClaimSchema.parse({
    creditor: {
      shopName: "Kaffeerösterei Beispiel GmbH",
      street: "Hafenstraße",
      houseNumber: "7",
      postalCode: "20457",
      city: "Hamburg",
      countryCode: "DE",
      email: "buchhaltung@kaffee-beispiel.de",
      phone: null,
    },
    debtor: {
      type: "private",
      customerNumber: "C-4711",
      firstName: "Erika",
      lastName: overrides.lastName ?? "Mustermann",
      company: null,
      street: "Heidestraße",
      houseNumber: "17",
      postalCode: "51147",
      city: "Köln",
      countryCode: "DE",
      email: "erika@example.org",
      phone: "+49 221 1234567",
      preferredLanguage: "de",
    },
    orderNumber: "#1042",
    invoiceNumber: overrides.invoiceNumber ?? "RE-2026-1042",
    invoiceDate: "2026-09-01",
    dueDate: "2026-09-15",
    original: eur(Math.max(outstanding, 11_999)),
    outstanding: eur(outstanding),
    reminders: [
      { level: "reminder_1", sentAt: "2026-09-20", fee: eur(0) },
      { level: "reminder_2", sentAt: "2026-09-30", fee: eur(150) },
      { level: "final_reminder", sentAt: "2026-10-07", fee: eur(150) },
    ],
    interest: { amount: eur(87), from: "2026-09-16", to: "2026-10-14" },
    dunningOption: "A",
  });
}
