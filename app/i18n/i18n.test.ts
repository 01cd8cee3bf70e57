import { expect, test } from "vitest";

import { MESSAGES, pickLocale, translator } from "./i18n";

test("German and English have exactly the same keys, none empty", () => {
  expect(Object.keys(MESSAGES.de).sort()).toEqual(Object.keys(MESSAGES.en).sort());
  for (const messages of Object.values(MESSAGES)) {
    for (const [key, value] of Object.entries(messages)) expect(value.trim(), key).not.toBe("");
  }
});

test("picks the language from Shopify's locale or Accept-Language, English otherwise", () => {
  expect(pickLocale("de")).toBe("de");
  expect(pickLocale("de-AT")).toBe("de");
  expect(pickLocale(null, "fr-FR,fr;q=0.9,de;q=0.8")).toBe("de");
  expect(pickLocale("en-US")).toBe("en");
  expect(pickLocale("fr")).toBe("en");
  expect(pickLocale(undefined, undefined)).toBe("en");
});

test("translates in both languages", () => {
  expect(translator("de")("status.handed_over")).toBe("An Inkasso übergeben");
  expect(translator("en")("status.handed_over")).toBe("Handed over to collection");
});

test("every case event type has a label in both languages", async () => {
  const { applyEvent } = await import("#app/domain/case/events");
  const source = applyEvent.toString();
  const types = [...source.matchAll(/case "([a-z_]+)":/g)].map((m) => m[1]!);
  expect(types.length).toBeGreaterThan(10);
  for (const type of [...types, "case_opened"]) {
    expect(MESSAGES.de, type).toHaveProperty(`event.${type}`);
    expect(MESSAGES.en, type).toHaveProperty(`event.${type}`);
  }
});
