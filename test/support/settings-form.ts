/**
 * The settings page as the Wollwerk merchant of the production tests fills it in: any hour of the day (a test must
 * not depend on when it runs), no fees, every case handed over without approval, the shop's postal address.
 */
export function wollwerkSettings(expectedVersion: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    expectedVersion,
    invoicePaymentMethods: "invoice",
    defaultPaymentTermDays: "14",
    "schedule.reminder_1": "5",
    "schedule.reminder_2": "10",
    "schedule.final_reminder": "7",
    "schedule.handover": "7",
    "fees.reminder_1": "0",
    "fees.reminder_2": "0",
    "fees.final_reminder": "0",
    "sendWindow.startHour": "0",
    "sendWindow.endHour": "24",
    autoHandover: "all",
    dunningOption: "A",
    "sender.name": "Wollwerk",
    "sender.replyTo": "",
    "address.company": "Wollwerk GmbH",
    "address.street": "Wollgasse 3",
    "address.postalCode": "50667",
    "address.city": "Köln",
    "address.countryCode": "DE",
    "address.email": "buchhaltung@wollwerk.example",
    "address.phone": "",
    ...extra,
  };
}
