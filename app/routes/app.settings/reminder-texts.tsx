import { Banner, BlockStack, Box, Divider, FormLayout, Tabs, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import type { Settings } from "#app/domain/settings";
import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import {
  DEFAULT_REMINDER_TEXTS,
  previewReminder,
  REMINDER_LANGUAGES,
  REMINDER_PLACEHOLDERS,
  type ReminderLanguage,
  type ReminderText,
  reminderTextKey,
} from "#app/mail/reminder-templates";

import { Section } from "./form-fields";
import type { ErrorFor } from "./use-save-result";

/** One tab per level and language, in this order. */
const COMBOS = DUNNING_LEVELS.flatMap((level) => REMINDER_LANGUAGES.map((language) => ({ level, language })));

export function ReminderTextsSection({
  reminderTexts,
  shopName,
  err,
}: {
  reminderTexts: Settings["reminderTexts"];
  shopName: string;
  err: ErrorFor;
}) {
  const t = useT();
  return (
    <Section
      title={t("settings.section.texts")}
      description={t("settings.section.texts.help", {
        placeholders: REMINDER_PLACEHOLDERS.map((p) => `{{${p}}}`).join(" "),
      })}
    >
      <ReminderTexts reminderTexts={reminderTexts} shopName={shopName} err={err} />
    </Section>
  );
}

/** The stored texts, and the default text where none is stored. */
function initialTexts(reminderTexts: Settings["reminderTexts"]): Record<string, ReminderText> {
  return Object.fromEntries(
    COMBOS.map(({ level, language }) => {
      const key = reminderTextKey(level, language);
      return [key, reminderTexts[key] ?? DEFAULT_REMINDER_TEXTS[level][language]];
    }),
  );
}

/** The reminder texts to edit, one tab each, with a preview of the open one rendered with sample data. */
export function ReminderTexts({
  reminderTexts,
  shopName,
  err,
}: {
  reminderTexts: Settings["reminderTexts"];
  shopName: string;
  err: ErrorFor;
}) {
  const t = useT();
  const [tab, setTab] = useState(0);
  const [texts, setTexts] = useState(() => initialTexts(reminderTexts));
  const current = COMBOS[tab]!;
  const key = reminderTextKey(current.level, current.language);
  const hasError = (k: string) => err(`reminderTexts.${k}.body`) || err(`reminderTexts.${k}.subject`);
  return (
    <BlockStack gap="300">
      <Tabs
        tabs={COMBOS.map(({ level, language }) => ({
          id: `text-${level}-${language}`,
          content: `${t(`level.${level}` as MessageKey)} (${language.toUpperCase()})`,
          badge: hasError(reminderTextKey(level, language)) ? "!" : undefined,
        }))}
        selected={tab}
        onSelect={setTab}
      />
      {/* Every text is posted, the hidden ones too; unchanged defaults are not stored. */}
      {COMBOS.map(({ level, language }) => {
        const k = reminderTextKey(level, language);
        return (
          <div key={k} hidden={k !== key}>
            <TextEditor
              level={level}
              language={language}
              value={texts[k]!}
              onChange={(v) => setTexts((all) => ({ ...all, [k]: v }))}
              err={err}
            />
          </div>
        );
      })}
      <Divider />
      <ReminderPreview level={current.level} language={current.language} text={texts[key]!} shopName={shopName} />
    </BlockStack>
  );
}

function ReminderPreview({
  level,
  language,
  text,
  shopName,
}: {
  level: DunningLevel;
  language: ReminderLanguage;
  text: ReminderText;
  shopName: string;
}) {
  const t = useT();
  const key = reminderTextKey(level, language);
  const preview = previewReminder({ level, language, reminderTexts: { [key]: text }, data: { shopName } });
  return (
    <>
      <Text as="h3" variant="headingSm">
        {t("settings.preview")}
      </Text>
      {preview.ok ? (
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          <BlockStack gap="200">
            <Text as="p" fontWeight="semibold">
              {preview.value.subject}
            </Text>
            <div style={{ whiteSpace: "pre-wrap" }}>
              <Text as="p">{preview.value.text}</Text>
            </div>
          </BlockStack>
        </Box>
      ) : (
        <Banner tone="warning">
          {t("form.error.placeholders", { placeholders: preview.error.placeholders.join(", ") })}
        </Banner>
      )}
    </>
  );
}

function TextEditor({
  level,
  language,
  value,
  onChange,
  err,
}: {
  level: DunningLevel;
  language: ReminderLanguage;
  value: ReminderText;
  onChange: (v: ReminderText) => void;
  err: ErrorFor;
}) {
  const t = useT();
  const k = reminderTextKey(level, language);
  return (
    <FormLayout>
      <TextField
        label={t("settings.text.subject")}
        name={`reminderTexts.${k}.subject`}
        value={value.subject}
        onChange={(subject) => onChange({ ...value, subject })}
        autoComplete="off"
        error={err(`reminderTexts.${k}.subject`)}
      />
      <TextField
        label={t("settings.text.body")}
        name={`reminderTexts.${k}.body`}
        value={value.body}
        onChange={(body) => onChange({ ...value, body })}
        multiline={10}
        autoComplete="off"
        error={err(`reminderTexts.${k}.body`)}
      />
    </FormLayout>
  );
}
