import { electronicFormatIBAN, isValidBIC, isValidIBAN } from "ibantools";
import { z } from "zod";

import { isKnownHolidayRegion } from "./dunning/deadlines";
import { DEFAULT_SCHEDULE, DEFAULT_SEND_WINDOW } from "./dunning/schedule";

/** Invoice payment methods as the platforms name them (gateway names on Shopify, method ids on WooCommerce). */
export const DEFAULT_INVOICE_METHODS = {
  shopify: ["Rechnung", "Kauf auf Rechnung", "Invoice", "Pay by invoice"],
  // Gateways on which the merchant carries the risk and chases the money (docs/platforms/woocommerce.md §6);
  // never the financed ones (PayPal Pay upon Invoice, Klarna, Ratepay, secured PAYONE), where a provider paid the shop.
  woocommerce: ["invoice", "german_market_purchase_on_account", "igfw_invoice_gateway", "bs_payone_invoice"],
} as const;

export const AUTO_HANDOVER_PRESETS = [100, 200, 500, 1_000, 10_000] as const;

const days = z.number().int().min(1).max(365);
/** No line breaks or other control characters (header injection), no angle brackets (a name that looks like an address). */
const SINGLE_LINE = /^[^\p{Cc}<>]*$/u;
const fee = z.number().int().min(0).max(100_000);

/**
 * WooCommerce has no VAT id field of its own; VAT plugins keep it in order meta, each under a key of its own. These are
 * keys seen in use; a shop whose plugin writes another sets it (docs/dunning-and-the-law.md, "Consumer or business").
 */
export const DEFAULT_VAT_ID_META_KEYS: readonly string[] = [
  "_billing_vat_id",
  "_billing_vat_number",
  "_vat_number",
  "vat_number",
  "billing_vat_id",
];

export const settingsSchema = z.object({
  invoicePaymentMethods: z
    .array(z.string().trim().min(1).max(100))
    .max(50)
    .default([...DEFAULT_INVOICE_METHODS.shopify]),
  /** Order meta keys that hold the buyer's VAT id (WooCommerce); the first with a value counts. */
  vatIdMetaKeys: z
    .array(z.string().trim().min(1).max(100))
    .max(20)
    .default([...DEFAULT_VAT_ID_META_KEYS]),
  defaultPaymentTermDays: z.number().int().min(0).max(365).default(14),
  schedule: z
    .object({ reminder_1: days, reminder_2: days, final_reminder: days, handover: days })
    .default({ ...DEFAULT_SCHEDULE }),
  sendWindow: z
    .object({
      startHour: z.number().int().min(0).max(23),
      endHour: z.number().int().min(1).max(24),
      skipSundays: z.boolean(),
    })
    .refine((w) => w.endHour > w.startHour, { message: "the window must end after it starts", path: ["endHour"] })
    .default({ ...DEFAULT_SEND_WINDOW }),
  /** off | all | a threshold in major units of the shop currency (presets or custom). */
  autoHandover: z
    .discriminatedUnion("mode", [
      z.object({ mode: z.literal("off") }),
      z.object({ mode: z.literal("all") }),
      z.object({ mode: z.literal("threshold"), minimumMajor: z.number().int().min(1).max(10_000_000) }),
    ])
    .default({ mode: "off" }),
  chargebackAutoHandover: z.boolean().default(false),
  dunningOption: z.enum(["A", "B"]).default("A"),
  /** When the dunning option last changed (ISO); it may change again 30 days later. */
  dunningOptionChangedAt: z.iso.datetime().nullable().default(null),
  /** Fees per level in minor units of the shop currency. Only real costs may be charged (documented). */
  fees: z
    .object({ reminder_1: fee, reminder_2: fee, final_reminder: fee })
    .default({ reminder_1: 0, reminder_2: 0, final_reminder: 0 }),
  writeBack: z
    .object({ tags: z.boolean(), metafield: z.boolean(), markAsPaid: z.boolean() })
    .default({ tags: true, metafield: true, markAsPaid: false }),
  /**
   * Who reminder e-mails come from: the display name only, the address is always our MAIL_FROM (a shop's own domain
   * would fail SPF/DMARC from our servers). Replies go to replyTo. Empty name: the shop's name.
   */
  sender: z
    .object({ name: z.string().trim().max(100).regex(SINGLE_LINE), replyTo: z.email().max(254).nullable() })
    .default({ name: "", replyTo: null }),
  /** The shop's postal address and contact: the sender of a reminder letter and the creditor of a claim. */
  address: z
    .object({
      company: z.string().trim().min(1).max(200).regex(SINGLE_LINE),
      street: z.string().trim().min(1).max(200).regex(SINGLE_LINE),
      postalCode: z.string().trim().min(1).max(20).regex(SINGLE_LINE),
      city: z.string().trim().min(1).max(100).regex(SINGLE_LINE),
      countryCode: z.string().regex(/^[A-Z]{2}$/),
      email: z.email().max(254),
      phone: z
        .string()
        .trim()
        .max(40)
        .regex(/^[0-9+()/. -]*$/)
        .nullable(),
    })
    .nullable()
    .default(null),
  /** §288 Abs. 5 BGB: charge business debtors the €40 flat fee once per claim. Off unless the shop turns it on. */
  flatFeeB2B: z.boolean().default(false),
  /**
   * Years an ended case (reminders sent, claims, payments) is kept with its customer, counted from the end of the year
   * it ended: 6 for business letters (§ 257 HGB), 10 when the merchant books them as accounting vouchers (§ 147 AO).
   */
  caseRetentionYears: z.union([z.literal(6), z.literal(10)]).default(10),
  /**
   * Where the shop's public holidays come from (§ 193 BGB moves a deadline off them): its country and, in Germany,
   * its federal state ("BY"); no state means national holidays only.
   */
  holidays: z
    .object({
      country: z.string().regex(/^[A-Z]{2}$/),
      state: z
        .string()
        .regex(/^[A-Z0-9]{1,3}$/)
        .nullable(),
    })
    .refine((h) => isKnownHolidayRegion(h.country, h.state), { message: "unknown country or state", path: ["state"] })
    .default({ country: "DE", state: null }),
  /** Working days after a reminder's deadline before the next step: a transfer made on the last day has arrived. */
  transferGraceDays: z.number().int().min(0).max(10).default(3),
  /** § 286 Abs. 3 BGB: the shop's invoices tell consumers they are in default 30 days after the due date. */
  consumerInvoiceWarns: z.boolean().default(false),
  /** Where customers pay: printed in every reminder with the order number as the payment reference. */
  bankAccount: z
    .object({
      holder: z.string().trim().min(1).max(70).regex(SINGLE_LINE),
      // Stored in electronic format (no spaces, upper case) once its check digits are right (ISO 13616).
      iban: z
        .string()
        .transform((v) => electronicFormatIBAN(v) ?? "")
        .refine((v) => isValidIBAN(v), { message: "not a valid IBAN" }),
      bic: z
        .string()
        .trim()
        .transform((v) => v.toUpperCase())
        .refine((v) => v === "" || isValidBIC(v), { message: "not a valid BIC" })
        .transform((v) => (v === "" ? null : v))
        .nullable(),
    })
    .nullable()
    .default(null),
  /**
   * Ways to pay offered in every reminder beside the bank details: a GiroCode (the EPC QR code of the transfer) and the
   * platform's pay-now link. Neither needs a further permission, so both are on unless the shop turns them off.
   */
  paymentOptions: z
    .object({ giroCode: z.boolean().default(true), payNowLink: z.boolean().default(true) })
    .default({ giroCode: true, payNowLink: true }),
  /**
   * Hide the invoice payment methods at checkout from a customer with an open case (WooCommerce: the companion plugin
   * asks Mahnwerk; docs/payments.md). Off until the shop turns it on: it changes what its customers see.
   */
  checkoutGuard: z.boolean().default(false),
  /** Bank statements: an order a matched credit paid in full is marked paid on its platform. */
  bankMatch: z.object({ markOrderPaid: z.boolean().default(true) }).default({ markOrderPaid: true }),
  /** Shopify: the payment customization Mahnwerk created for the guard (not a form field; set when it is created). */
  shopifyPaymentCustomizationId: z.string().max(200).nullable().default(null),
  /** Overrides of the default reminder texts, per level and language. */
  reminderTexts: z
    .record(z.string(), z.object({ subject: z.string().max(200), body: z.string().max(10_000) }))
    .default({}),
});

export type Settings = z.infer<typeof settingsSchema>;

export const SETTINGS_DEFAULTS: Settings = settingsSchema.parse({});

export function parseSettings(input: unknown) {
  return settingsSchema.safeParse(input ?? {});
}
