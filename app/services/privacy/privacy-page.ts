import { type Locale, type MessageKey, translator } from "#app/i18n/i18n";

import type { RetentionRule } from "./retention.server";

/**
 * The retention rules as rows of the tab's privacy page (app/routes/app.privacy.tsx), in the page's language. The rows
 * come from RETENTION_RULES itself, so the page lists exactly the rules the daily job works by, with their periods.
 */

/** The texts of a rule the page shows. RETENTION_RULES has them in English; the i18n files hold them per rule id. */
export const PRIVACY_RULE_TEXTS = ["data", "why", "from", "removes", "keeps"] as const;
export type PrivacyRuleText = (typeof PRIVACY_RULE_TEXTS)[number];

export const privacyRuleKey = (id: string, text: PrivacyRuleText) => `privacy.rules.${id}.${text}` as MessageKey;

export type PrivacyRow = {
  id: string;
  data: string;
  purpose: string;
  period: string;
  from: string;
  /** What is deleted or cleared once the period is over. */
  then: string;
  keeps: string;
  enforced: boolean;
};

const DAYS_PER_YEAR = 365;

/** "7 Tage" / "7 days"; 0 is "on expiry" (the period ends when `from` is reached); whole years as years. */
export function retentionPeriod(periodDays: number, locale: Locale): string {
  const t = translator(locale);
  if (periodDays === 0) return t("privacy.period.onExpiry");
  if (periodDays % DAYS_PER_YEAR === 0) {
    const years = periodDays / DAYS_PER_YEAR;
    return years === 1 ? t("privacy.period.year") : t("privacy.period.years", { count: years });
  }
  return periodDays === 1 ? t("privacy.period.day") : t("privacy.period.days", { count: periodDays });
}

/** `shopPeriods`: the shop's own periods by rule id (shopRetentionPeriods), shown instead of the defaults. */
export function privacyRows(
  rules: readonly RetentionRule[],
  locale: Locale,
  shopPeriods: Record<string, number> = {},
): PrivacyRow[] {
  const t = translator(locale);
  return rules.map((rule) => {
    const text = (name: PrivacyRuleText) => t(privacyRuleKey(rule.id, name));
    return {
      id: rule.id,
      data: capitalized(text("data")),
      purpose: capitalized(text("why")),
      period: retentionPeriod(shopPeriods[rule.id] ?? rule.periodDays, locale),
      from: capitalized(text("from")),
      then: t(rule.action === "delete" ? "privacy.then.delete" : "privacy.then.clear", { removes: text("removes") }),
      keeps: capitalized(text("keeps")),
      enforced: rule.enforced,
    };
  });
}

/** The rules' texts are phrases written to follow a label ("kept for …"); on the page each one stands alone. */
function capitalized(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}
