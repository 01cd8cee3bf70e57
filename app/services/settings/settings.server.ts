import Holidays from "date-holidays";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";

import type { DbOrTx } from "#app/db/client.server";
import { settings as settingsTable } from "#app/db/schema";
import { DUNNING_LEVELS } from "#app/domain/case/status";
import { toLocalDate } from "#app/domain/dates";
import { MAX_REMINDER_FEE_MINOR } from "#app/domain/dunning/fees";
import { parseMoney } from "#app/domain/money";
import { checkDunningOptionChange, DUNNING_OPTION_LOCK_DAYS } from "#app/domain/policies";
import {
  AUTO_HANDOVER_PRESETS,
  parseSettings,
  type Settings,
  SETTINGS_DEFAULTS,
  settingsSchema,
} from "#app/domain/settings";
import {
  DEFAULT_REMINDER_TEXTS,
  REMINDER_LANGUAGES,
  REMINDER_TEXT_LIMITS,
  reminderTextKey,
  validateReminderText,
} from "#app/mail/reminder-templates";

/** The shop's current settings (defaults until the first save). */
export async function getSettings(db: DbOrTx, shopId: string): Promise<Settings & { version: number }> {
  const [row] = await db
    .select()
    .from(settingsTable)
    .where(eq(settingsTable.shopId, shopId))
    .orderBy(desc(settingsTable.version))
    .limit(1);
  if (!row) return { ...SETTINGS_DEFAULTS, version: 0 };
  const parsed = parseSettings(row.data);
  // A stored version that no longer parses (a field was removed) falls back to defaults field by field.
  return { ...(parsed.success ? parsed.data : SETTINGS_DEFAULTS), version: row.version };
}

export type SettingsUpdateResult =
  | { ok: true; settings: Settings; version: number }
  | {
      ok: false;
      error:
        | { code: "invalid"; issues: z.core.$ZodIssue[] }
        | { code: "dunning_option_locked"; possibleFrom: Date; message: string }
        | { code: "conflict"; message: string };
    };

/**
 * Saves a new version: validated, the 30-day lock on the dunning option enforced, every version kept with who
 * changed it. `expectedVersion` (from the form) turns a concurrent edit into a conflict instead of a silent overwrite.
 */
export async function updateSettings(
  db: DbOrTx,
  shopId: string,
  input: unknown,
  meta: { changedBy: string; now: Date; expectedVersion?: number },
): Promise<SettingsUpdateResult> {
  const current = await getSettings(db, shopId);
  if (meta.expectedVersion !== undefined && meta.expectedVersion !== current.version) {
    return {
      ok: false,
      error: { code: "conflict", message: "The settings were changed meanwhile; reload and try again." },
    };
  }
  const parsed = settingsSchema.safeParse({ ...stripVersion(current), ...(input as object) });
  if (!parsed.success) return { ok: false, error: { code: "invalid", issues: parsed.error.issues } };
  let next = parsed.data;
  if (next.dunningOption !== current.dunningOption) {
    const check = checkDunningOptionChange(current, next.dunningOption, meta.now);
    if (!check.ok) return { ok: false, error: check.error };
    next = { ...next, dunningOptionChangedAt: meta.now.toISOString() };
  } else {
    next = { ...next, dunningOptionChangedAt: current.dunningOptionChangedAt };
  }
  const version = current.version + 1;
  const inserted = await db
    .insert(settingsTable)
    .values({ shopId, version, data: next, changedBy: meta.changedBy, changedAt: meta.now })
    .onConflictDoNothing()
    .returning({ version: settingsTable.version });
  if (inserted.length === 0)
    return {
      ok: false,
      error: { code: "conflict", message: "The settings were changed meanwhile; reload and try again." },
    };
  return { ok: true, settings: next, version };
}

export async function settingsHistory(db: DbOrTx, shopId: string) {
  return db.select().from(settingsTable).where(eq(settingsTable.shopId, shopId)).orderBy(desc(settingsTable.version));
}

function stripVersion(s: Settings & { version: number }): Settings {
  const { version: _version, ...rest } = s;
  return rest;
}

/** A field's error as an i18n key with values, so the page shows it at the field in the admin's language. */
export type FieldError = { key: string; values?: Record<string, string | number> };
export type FieldErrors = Record<string, FieldError>;

export const AUTO_HANDOVER_CHOICES = ["off", "all", ...AUTO_HANDOVER_PRESETS.map(String), "custom"] as const;

const formText = z.string().trim();
const wholeNumber = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().min(min).max(max));

/** The settings page as it is posted: text inputs, checkboxes ("on"), selects. */
const settingsFormSchema = z.object({
  expectedVersion: z.coerce.number().int().min(0),
  invoicePaymentMethods: formText.max(5_000),
  vatIdMetaKeys: formText.max(2_100).optional(),
  defaultPaymentTermDays: wholeNumber(0, 365),
  "schedule.reminder_1": wholeNumber(1, 365),
  "schedule.reminder_2": wholeNumber(1, 365),
  "schedule.final_reminder": wholeNumber(1, 365),
  "schedule.handover": wholeNumber(1, 365),
  "fees.reminder_1": formText,
  "fees.reminder_2": formText,
  "fees.final_reminder": formText,
  "sendWindow.startHour": wholeNumber(0, 23),
  "sendWindow.endHour": wholeNumber(1, 24),
  "sendWindow.skipSundays": z.literal("on").optional(),
  autoHandover: z.enum(AUTO_HANDOVER_CHOICES),
  autoHandoverCustom: formText.optional(),
  chargebackAutoHandover: z.literal("on").optional(),
  dunningOption: z.enum(["A", "B"]),
  "writeBack.tags": z.literal("on").optional(),
  "writeBack.metafield": z.literal("on").optional(),
  "writeBack.markAsPaid": z.literal("on").optional(),
  flatFeeB2B: z.literal("on").optional(),
  caseRetentionYears: z.enum(["6", "10"]).optional(),
  transferGraceDays: wholeNumber(0, 10).optional(),
  // Posted as "on" or "off" (a hidden field), so that a form from before the field is told apart from an unticked box.
  consumerInvoiceWarns: z.enum(["on", "off"]).optional(),
  "paymentOptions.giroCode": z.enum(["on", "off"]).optional(),
  "paymentOptions.payNowLink": z.enum(["on", "off"]).optional(),
  checkoutGuard: z.enum(["on", "off"]).optional(),
});

const RANGES: Record<string, [number, number]> = {
  defaultPaymentTermDays: [0, 365],
  "sendWindow.startHour": [0, 23],
  "sendWindow.endHour": [1, 24],
  transferGraceDays: [0, 10],
};

/** Fees above this are rejected at the field: reminder_1 is never charged, so its field keeps the old wide limit. */
const FEE_LIMITS = {
  reminder_1: 100_000,
  reminder_2: MAX_REMINDER_FEE_MINOR,
  final_reminder: MAX_REMINDER_FEE_MINOR,
} as const;

/**
 * Turns the posted settings page into the input of `updateSettings`, or errors per field. Fees are typed in the
 * shop currency ("2,50" or "2.50") and become minor units exactly; reminder texts are stored only where they differ
 * from the defaults, and every text is checked for unknown placeholders.
 */
export function parseSettingsForm(
  form: FormData,
  currency: string,
): { ok: true; input: Partial<Settings>; expectedVersion: number } | { ok: false; errors: FieldErrors } {
  const raw = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
  const errors: FieldErrors = {};
  const parsed = settingsFormSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "form");
      if (errors[field]) continue;
      const [min, max] = RANGES[field] ?? (field.startsWith("schedule.") ? [1, 365] : [0, 0]);
      errors[field] =
        issue.code === "too_small" || issue.code === "too_big"
          ? { key: "form.error.range", values: { min, max } }
          : issue.code === "invalid_format"
            ? { key: "form.error.wholeNumber" }
            : { key: "form.error.invalid" };
    }
    return { ok: false, errors };
  }
  const f = parsed.data;
  const fee = (field: "fees.reminder_1" | "fees.reminder_2" | "fees.final_reminder"): number => {
    const text = f[field] === "" ? "0" : f[field].replace(",", ".");
    const money = parseMoney(text, currency);
    const limit = FEE_LIMITS[field.slice("fees.".length) as keyof typeof FEE_LIMITS];
    if (!money.ok || money.value.amountMinor < 0 || money.value.amountMinor > 100_000) {
      errors[field] = { key: "form.error.amount" };
      return 0;
    }
    // A value named …Minor is an amount in minor units of the shop currency; the page formats it.
    if (money.value.amountMinor > limit) errors[field] = { key: "form.error.feeMax", values: { maxMinor: limit } };
    return money.value.amountMinor;
  };
  const fees = {
    reminder_1: fee("fees.reminder_1"),
    reminder_2: fee("fees.reminder_2"),
    final_reminder: fee("fees.final_reminder"),
  };
  if (f["sendWindow.endHour"] <= f["sendWindow.startHour"])
    errors["sendWindow.endHour"] = { key: "form.error.windowEnd" };
  let autoHandover: Settings["autoHandover"];
  if (f.autoHandover === "off" || f.autoHandover === "all") autoHandover = { mode: f.autoHandover };
  else if (f.autoHandover === "custom") {
    const amount = Number(f.autoHandoverCustom ?? "");
    if (!/^\d+$/.test(f.autoHandoverCustom ?? "") || amount < 1 || amount > 10_000_000) {
      errors.autoHandoverCustom = { key: "form.error.range", values: { min: 1, max: 10_000_000 } };
    }
    autoHandover = { mode: "threshold", minimumMajor: amount };
  } else autoHandover = { mode: "threshold", minimumMajor: Number(f.autoHandover) };
  const methods = lines(f.invoicePaymentMethods);
  if (methods.length > 50 || methods.some((m) => m.length > 100))
    errors.invoicePaymentMethods = { key: "form.error.methods" };
  const vatIdMetaKeys = f.vatIdMetaKeys === undefined ? undefined : lines(f.vatIdMetaKeys);
  if (vatIdMetaKeys && (vatIdMetaKeys.length > 20 || vatIdMetaKeys.some((k) => k.length > 100)))
    errors.vatIdMetaKeys = { key: "form.error.metaKeys" };

  const reminderTexts: Settings["reminderTexts"] = {};
  for (const level of DUNNING_LEVELS) {
    for (const language of REMINDER_LANGUAGES) {
      const key = reminderTextKey(level, language);
      const subject = String(raw[`reminderTexts.${key}.subject`] ?? "").trim();
      const body = String(raw[`reminderTexts.${key}.body`] ?? "")
        .replace(/\r\n?/g, "\n")
        .trim();
      const fallback = DEFAULT_REMINDER_TEXTS[level][language];
      if ((subject === "" && body === "") || (subject === fallback.subject && body === fallback.body.trim())) continue;
      if (subject === "" || subject.length > REMINDER_TEXT_LIMITS.subject)
        errors[`reminderTexts.${key}.subject`] = { key: "form.error.subject" };
      if (body === "" || body.length > REMINDER_TEXT_LIMITS.body)
        errors[`reminderTexts.${key}.body`] = { key: "form.error.body" };
      if (errors[`reminderTexts.${key}.subject`] || errors[`reminderTexts.${key}.body`]) continue;
      const checked = validateReminderText(key, { subject, body });
      if (!checked.ok)
        errors[`reminderTexts.${key}.body`] = {
          key: "form.error.placeholders",
          values: { placeholders: checked.error.placeholders.join(", ") },
        };
      reminderTexts[key] = { subject, body };
    }
  }
  const contact = parseSenderAndAddress(raw, errors);
  const deadlines = parseHolidaysAndBankAccount(raw, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    expectedVersion: f.expectedVersion,
    input: {
      ...contact,
      ...deadlines,
      flatFeeB2B: f.flatFeeB2B === "on",
      // Only when the page posted it: a form from before the field keeps the stored period.
      ...(f.caseRetentionYears ? { caseRetentionYears: f.caseRetentionYears === "6" ? 6 : 10 } : {}),
      ...(f.transferGraceDays !== undefined ? { transferGraceDays: f.transferGraceDays } : {}),
      ...(f.consumerInvoiceWarns ? { consumerInvoiceWarns: f.consumerInvoiceWarns === "on" } : {}),
      ...(f.checkoutGuard ? { checkoutGuard: f.checkoutGuard === "on" } : {}),
      ...(f["paymentOptions.giroCode"] && f["paymentOptions.payNowLink"]
        ? {
            paymentOptions: {
              giroCode: f["paymentOptions.giroCode"] === "on",
              payNowLink: f["paymentOptions.payNowLink"] === "on",
            },
          }
        : {}),
      invoicePaymentMethods: methods,
      // Only WooCommerce shops see the field; a form without it keeps the stored keys.
      ...(vatIdMetaKeys ? { vatIdMetaKeys } : {}),
      defaultPaymentTermDays: f.defaultPaymentTermDays,
      schedule: {
        reminder_1: f["schedule.reminder_1"],
        reminder_2: f["schedule.reminder_2"],
        final_reminder: f["schedule.final_reminder"],
        handover: f["schedule.handover"],
      },
      fees,
      sendWindow: {
        startHour: f["sendWindow.startHour"],
        endHour: f["sendWindow.endHour"],
        skipSundays: f["sendWindow.skipSundays"] === "on",
      },
      autoHandover,
      chargebackAutoHandover: f.chargebackAutoHandover === "on",
      dunningOption: f.dunningOption,
      writeBack: {
        tags: f["writeBack.tags"] === "on",
        metafield: f["writeBack.metafield"] === "on",
        markAsPaid: f["writeBack.markAsPaid"] === "on",
      },
      reminderTexts,
    },
  };
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

const formEmail = z.email().max(254);
const ADDRESS_FIELDS = ["company", "street", "postalCode", "city", "countryCode", "email", "phone"] as const;

/**
 * Sender name, reply-to and the postal address, each only when the page posted it (an older form keeps them). The
 * address is all or nothing: every field empty clears it, a partly filled one names the missing fields.
 */
function parseSenderAndAddress(
  raw: Record<string, string>,
  errors: FieldErrors,
): Pick<Partial<Settings>, "sender" | "address"> {
  const out: Pick<Partial<Settings>, "sender" | "address"> = {};
  const single = settingsSchema.shape.sender.unwrap().shape.name;
  if ("sender.name" in raw || "sender.replyTo" in raw) {
    const name = (raw["sender.name"] ?? "").trim();
    const replyTo = (raw["sender.replyTo"] ?? "").trim();
    if (!single.safeParse(name).success) errors["sender.name"] = { key: "form.error.senderName" };
    if (replyTo !== "" && !formEmail.safeParse(replyTo).success) errors["sender.replyTo"] = { key: "form.error.email" };
    out.sender = { name, replyTo: replyTo === "" ? null : replyTo };
  }
  if (ADDRESS_FIELDS.some((field) => `address.${field}` in raw)) {
    const value = Object.fromEntries(
      ADDRESS_FIELDS.map((field) => [field, (raw[`address.${field}`] ?? "").trim()]),
    ) as Record<(typeof ADDRESS_FIELDS)[number], string>;
    const filled = ADDRESS_FIELDS.filter((field) => field !== "countryCode" && value[field] !== "");
    if (filled.length === 0) {
      out.address = null;
      return out;
    }
    const shape = settingsSchema.shape.address.unwrap().unwrap().shape;
    const candidate = {
      ...value,
      countryCode: value.countryCode.toUpperCase(),
      phone: value.phone === "" ? null : value.phone,
    };
    for (const field of ADDRESS_FIELDS) {
      const v = candidate[field];
      if (field !== "phone" && v === "") errors[`address.${field}`] = { key: "form.error.required" };
      else if (!shape[field].safeParse(v).success) {
        errors[`address.${field}`] = {
          key: field === "email" ? "form.error.email" : field === "phone" ? "form.error.phone" : "form.error.invalid",
        };
      }
    }
    out.address = candidate;
  }
  return out;
}

const BANK_FIELDS = ["holder", "iban", "bic"] as const;

/**
 * The holiday region and the bank account, each only when the page posted it (an older form keeps them). The region
 * is checked against what date-holidays knows (an empty state: national holidays only). The bank account is all or
 * nothing like the address: all three fields empty clear it; otherwise holder and IBAN are required, the BIC optional,
 * and the IBAN is stored in electronic format ("DE89 3704 …" in lower case is fine).
 */
function parseHolidaysAndBankAccount(
  raw: Record<string, string>,
  errors: FieldErrors,
): Pick<Partial<Settings>, "holidays" | "bankAccount"> {
  const out: Pick<Partial<Settings>, "holidays" | "bankAccount"> = {};
  if ("holidays.country" in raw || "holidays.state" in raw) {
    const country = (raw["holidays.country"] ?? "").trim().toUpperCase();
    const state = (raw["holidays.state"] ?? "").trim().toUpperCase();
    const parsed = settingsSchema.shape.holidays.unwrap().safeParse({ country, state: state === "" ? null : state });
    if (parsed.success) out.holidays = parsed.data;
    else {
      const countryWrong =
        parsed.error.issues.some((issue) => issue.path[0] === "country") || !isKnownHolidayCountry(country);
      if (countryWrong) errors["holidays.country"] = { key: "form.error.invalid" };
      else errors["holidays.state"] = { key: "form.error.holidayState" };
    }
  }
  if (BANK_FIELDS.some((field) => `bankAccount.${field}` in raw)) {
    const value = Object.fromEntries(
      BANK_FIELDS.map((field) => [field, (raw[`bankAccount.${field}`] ?? "").trim()]),
    ) as Record<(typeof BANK_FIELDS)[number], string>;
    if (BANK_FIELDS.every((field) => value[field] === "")) {
      out.bankAccount = null;
      return out;
    }
    const shape = settingsSchema.shape.bankAccount.unwrap().unwrap().shape;
    const holder = shape.holder.safeParse(value.holder);
    const iban = shape.iban.safeParse(value.iban);
    const bic = shape.bic.safeParse(value.bic);
    if (value.holder === "") errors["bankAccount.holder"] = { key: "form.error.required" };
    else if (!holder.success) errors["bankAccount.holder"] = { key: "form.error.holder" };
    if (value.iban === "") errors["bankAccount.iban"] = { key: "form.error.required" };
    else if (!iban.success) errors["bankAccount.iban"] = { key: "form.error.iban" };
    if (!bic.success) errors["bankAccount.bic"] = { key: "form.error.bic" };
    if (holder.success && iban.success && bic.success)
      out.bankAccount = { holder: holder.data, iban: iban.data, bic: bic.data };
  }
  return out;
}

function isKnownHolidayCountry(country: string): boolean {
  return /^[A-Z]{2}$/.test(country) && Boolean(new Holidays().getCountries()[country]);
}

/** Countries the settings page offers for public holidays: the German-speaking ones first, then the rest of the EU. */
export const HOLIDAY_COUNTRIES = [
  "DE",
  "AT",
  "CH",
  "LI",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
] as const;

export type HolidayRegionOption = { country: string; states: { code: string; name: string }[] };

/**
 * The holiday countries with their states as date-holidays names them (German states "BY": "Bayern"), for the settings
 * page's selects; computed on the server so the holiday data stays out of the browser. A stored country outside the
 * list is offered too, so that saving the page keeps it.
 */
export function holidayRegionOptions(stored?: string): HolidayRegionOption[] {
  const known = new Holidays().getCountries();
  const codes: string[] = [...HOLIDAY_COUNTRIES];
  if (stored && !codes.includes(stored)) codes.push(stored);
  return codes
    .filter((country) => known[country])
    .map((country) => ({
      country,
      states: Object.entries(new Holidays().getStates(country) ?? {})
        .map(([code, name]) => ({ code, name }))
        .sort((a, b) => a.name.localeCompare(b.name, "de")),
    }));
}

export type SettingsSaveOutcome =
  { ok: true; version: number } | { ok: false; errors: FieldErrors; conflict?: boolean };

/** The settings page's save: form errors, the 30-day lock (with its date) and a concurrent edit, each at its place. */
export async function saveSettingsForm(
  db: DbOrTx,
  shop: { id: string; currency: string; timezone: string },
  form: FormData,
  meta: { changedBy: string; now: Date },
): Promise<SettingsSaveOutcome> {
  const parsed = parseSettingsForm(form, shop.currency);
  if (!parsed.ok) return parsed;
  const result = await updateSettings(db, shop.id, parsed.input, { ...meta, expectedVersion: parsed.expectedVersion });
  if (result.ok) return { ok: true, version: result.version };
  if (result.error.code === "conflict") return { ok: false, conflict: true, errors: {} };
  if (result.error.code === "dunning_option_locked") {
    return {
      ok: false,
      errors: {
        dunningOption: {
          key: "settings.dunningOption.locked",
          values: { date: toLocalDate(result.error.possibleFrom, shop.timezone) },
        },
      },
    };
  }
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[issue.path.join(".")] ??= { key: "form.error.invalid" };
  return { ok: false, errors };
}

/** When the dunning option may change next (null: now). */
export function dunningOptionUnlocksAt(settings: Settings, now: Date): Date | null {
  if (!settings.dunningOptionChangedAt) return null;
  const at = new Date(Date.parse(settings.dunningOptionChangedAt) + DUNNING_OPTION_LOCK_DAYS * 86_400_000);
  return at.getTime() > now.getTime() ? at : null;
}
