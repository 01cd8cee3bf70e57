import { z } from "zod";
import { DEFAULT_SCHEDULE, DEFAULT_SEND_WINDOW } from "./dunning/schedule";

/** Invoice payment methods as the platforms name them (gateway names on Shopify, method ids on WooCommerce). */
export const DEFAULT_INVOICE_METHODS = {
  shopify: ["Rechnung", "Kauf auf Rechnung", "Invoice", "Pay by invoice"],
  // Gateways on which the merchant carries the risk and chases the money (shared/platforms/woocommerce.md §6);
  // never the financed ones (PayPal Pay upon Invoice, Klarna, Ratepay, secured PAYONE), where a provider paid the shop.
  woocommerce: ["invoice", "german_market_purchase_on_account", "igfw_invoice_gateway", "bs_payone_invoice"],
} as const;

export const AUTO_HANDOVER_PRESETS = [100, 200, 500, 1_000, 10_000] as const;

const days = z.number().int().min(1).max(365);
const fee = z.number().int().min(0).max(100_000);

export const settingsSchema = z.object({
  invoicePaymentMethods: z.array(z.string().trim().min(1).max(100)).max(50).default([...DEFAULT_INVOICE_METHODS.shopify]),
  defaultPaymentTermDays: z.number().int().min(0).max(365).default(14),
  schedule: z
    .object({ reminder_1: days, reminder_2: days, final_reminder: days, handover: days })
    .default({ ...DEFAULT_SCHEDULE }),
  sendWindow: z
    .object({ startHour: z.number().int().min(0).max(23), endHour: z.number().int().min(1).max(24), skipSundays: z.boolean() })
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
  fees: z.object({ reminder_1: fee, reminder_2: fee, final_reminder: fee }).default({ reminder_1: 0, reminder_2: 0, final_reminder: 0 }),
  writeBack: z
    .object({ tags: z.boolean(), metafield: z.boolean(), markAsPaid: z.boolean() })
    .default({ tags: true, metafield: true, markAsPaid: false }),
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
