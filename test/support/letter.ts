import { money } from "#app/domain/money";
import { renderReminderLetter } from "#app/mail/reminder-letter.server";
import { renderReminder } from "#app/mail/reminder-templates";

/** A first-reminder letter of 49,90 € for one customer, sender and recipient at the same address. */
export async function renderSampleLetter(customer: { name: string; street: string }): Promise<Uint8Array> {
  const data = {
    customerName: customer.name,
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
  if (!reminder.ok) throw new Error(reminder.error.message);
  const totals = {
    outstanding: data.amount,
    fees: data.fees,
    interest: data.interest,
    flatFee: money(0, "EUR"),
    total: data.total,
  };
  const address = { name: customer.name, street: customer.street, postalCode: "20457", city: "Hamburg", country: "DE" };
  return renderReminderLetter({
    language: "de",
    sender: address,
    recipient: address,
    date: "2026-02-01",
    orderNumber: "#1001",
    reminder: reminder.value,
    totals,
  });
}
