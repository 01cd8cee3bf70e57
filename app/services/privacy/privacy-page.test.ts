import { readFileSync } from "node:fs";

import { expect, test } from "vitest";

import { parseEnv } from "#app/config/env.server";
import { type Locale, MESSAGES } from "#app/i18n/i18n";

import { PRIVACY_RULE_TEXTS, privacyRows, privacyRuleKey, retentionPeriod } from "./privacy-page";
import { RETENTION_RULES } from "./retention.server";

/** docs/privacy.md's retention table as cells by column name, one record per rule id. */
function docRetentionTable(): Map<string, Record<string, string>> {
  const doc = readFileSync("docs/privacy.md", "utf8");
  const section = doc.split(/^## /m).find((s) => s.startsWith("Retention table"));
  expect(section, "docs/privacy.md has a section '## Retention table'").toBeDefined();
  const rows = section!
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[-| ]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(" | ")
        .map((cell) => cell.trim()),
    );
  const [header, ...body] = rows;
  const table = new Map<string, Record<string, string>>();
  for (const cells of body) {
    const row = Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ""]));
    table.set(row.rule!.replace(/`/g, ""), row);
  }
  return table;
}

/**
 * A period as the doc writes it, in days: "0" (ends at `from`), "N days" or "N years" (of 365 days, as the rules
 * count), maybe with a remark in parentheses ("10 years (6 for letters alone)"). Null: not a period.
 */
function docPeriodDays(cell: string): number | null {
  const match = /^(\d+)(?: (day|days|year|years))?(?: \(.*\))?$/.exec(cell);
  if (!match) return null;
  const n = Number(match[1]);
  if (match[2] === undefined) return n === 0 ? 0 : null;
  return match[2].startsWith("year") ? n * 365 : n;
}

test("docs/privacy.md's retention table has every rule, with its period and enforcement, and no other", () => {
  const table = docRetentionTable();
  for (const rule of RETENTION_RULES) {
    const row = table.get(rule.id);
    expect(row, `${rule.id} is missing from docs/privacy.md's retention table`).toBeDefined();
    expect(docPeriodDays(row!.period!), `${rule.id}: period "${row!.period}" in days`).toBe(rule.periodDays);
    expect(row!.enforced!.replace(/\*/g, ""), `${rule.id}: enforced`).toBe(rule.enforced ? "yes" : "no");
  }
  expect([...table.keys()].sort()).toEqual(RETENTION_RULES.map((r) => r.id).sort());
});

test("every rule's texts are in German and English, the English ones as RETENTION_RULES has them", () => {
  for (const rule of RETENTION_RULES) {
    for (const name of PRIVACY_RULE_TEXTS) {
      const key = privacyRuleKey(rule.id, name);
      for (const locale of Object.keys(MESSAGES) as Locale[]) {
        const messages: Record<string, string> = MESSAGES[locale];
        expect(messages[key]?.trim(), `${key} in ${locale}.json`).toBeTruthy();
      }
      // The English page shows the rule's own words: a rule changed without its messages fails here.
      expect((MESSAGES.en as Record<string, string>)[key], key).toBe(rule[name]);
    }
  }
  // No translation is left behind for a rule that was removed or renamed.
  const ids = new Set(RETENTION_RULES.flatMap((r) => PRIVACY_RULE_TEXTS.map((name) => privacyRuleKey(r.id, name))));
  for (const messages of Object.values(MESSAGES)) {
    expect(Object.keys(messages).filter((key) => key.startsWith("privacy.rules.") && !ids.has(key as never))).toEqual(
      [],
    );
  }
});

test("periods read as days, whole years as years, and 0 as on expiry", () => {
  expect([0, 1, 7, 30, 365, 3650].map((days) => retentionPeriod(days, "de"))).toEqual([
    "sofort nach Ablauf",
    "1 Tag",
    "7 Tage",
    "30 Tage",
    "1 Jahr",
    "10 Jahre",
  ]);
  expect([0, 1, 7, 30, 365, 3650].map((days) => retentionPeriod(days, "en"))).toEqual([
    "on expiry",
    "1 day",
    "7 days",
    "30 days",
    "1 year",
    "10 years",
  ]);
});

test("a page row says what goes and what stays, in the page's language", () => {
  const [de] = privacyRows(
    RETENTION_RULES.filter((r) => r.id === "inbox.failed"),
    "de",
  );
  expect(de).toEqual({
    id: "inbox.failed",
    data: "Gescheiterte und abgewiesene Webhook-Zustellungen",
    purpose: "Der Support klärt sie (mahnwerk inbox replay) oder findet heraus, warum sie abgewiesen wurden",
    period: "30 Tage",
    from: "Eingang (und letzter Verarbeitungsversuch)",
    then: "Gelöscht: der ganze Datensatz",
    keeps: "Nichts; eine erneut eingespielte Zustellung wird verarbeitet und fällt dann unter inbox.bodies",
    enforced: true,
  });
  const [en] = privacyRows(
    RETENTION_RULES.filter((r) => r.id === "inbox.bodies"),
    "en",
  );
  expect(en!.then).toBe("Cleared: body and headers of processed and ignored deliveries");
});

test("the operator's contact shown on the page is an e-mail address or an https page, or unset", () => {
  expect(parseEnv({ OPERATOR_CONTACT: " datenschutz@example.com " }).OPERATOR_CONTACT).toBe("datenschutz@example.com");
  expect(parseEnv({ OPERATOR_CONTACT: "https://example.com/privacy" }).OPERATOR_CONTACT).toBe(
    "https://example.com/privacy",
  );
  expect(parseEnv({ OPERATOR_CONTACT: "" }).OPERATOR_CONTACT).toBeUndefined();
  for (const bad of ["http://example.com/privacy", "javascript:alert(1)", "call us"]) {
    expect(() => parseEnv({ OPERATOR_CONTACT: bad }), bad).toThrow(
      "OPERATOR_CONTACT must be an e-mail address or an https:// URL",
    );
  }
});
