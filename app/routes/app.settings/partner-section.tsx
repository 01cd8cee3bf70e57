import { Form, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, FormLayout, InlineStack, Layout, Select, Text } from "@shopify/polaris";
import { useRef, useState } from "react";

import { useT } from "#app/i18n/react";
import type { PartnerSettingsView } from "#app/services/collection/partner-settings.server";
import type { FieldErrors } from "#app/services/settings/settings.server";

import { FormField, Section } from "./form-fields";
import { type ErrorFor, errorFor, type FormatError } from "./use-save-result";

type PartnerResult =
  | { intent: "partner"; ok: true; done: "saved" | "connected" }
  | { intent: "partner"; ok: false; errors: FieldErrors; failure?: string };

/**
 * Partner, environment and credentials in a form of their own. The secret is never sent to the browser: a stored one
 * shows as "Stored" with a Replace button; left empty it is kept.
 */
export function PartnerSection({
  partner,
  result,
  formatError,
}: {
  partner: PartnerSettingsView;
  result: PartnerResult | undefined;
  formatError: FormatError;
}) {
  const t = useT();
  const [choice, setChoice] = useState<string>(partner.partner ?? (partner.available.sandbox ? "sandbox" : "riverty"));
  // Held here, not in the Riverty fields: switching to the sandbox and back keeps what was entered.
  const [environment, setEnvironment] = useState<string>(partner.environment);
  const [replacing, setReplacing] = useState(!partner.secretStored);
  const err = errorFor(result && !result.ok ? result.errors : {}, formatError);
  return (
    <Form method="post">
      <Layout>
        <Section title={t("settings.section.partner")} description={t("settings.section.partner.help")}>
          <FormLayout>
            {result?.ok ? (
              <Banner tone="success">
                {t(result.done === "saved" ? "settings.partner.saved" : "settings.partner.connected")}
              </Banner>
            ) : null}
            {result && !result.ok && result.failure ? (
              <Banner tone="critical">{t("settings.partner.failed", { reason: result.failure })}</Banner>
            ) : null}
            <Select
              label={t("settings.partner")}
              name="partner"
              value={choice}
              onChange={setChoice}
              options={[
                { label: t("settings.partner.sandbox"), value: "sandbox", disabled: !partner.available.sandbox },
                {
                  label: t("settings.partner.sandbox_mediafinanz"),
                  value: "sandbox_mediafinanz",
                  disabled: !partner.available.sandbox,
                },
                { label: t("settings.partner.riverty"), value: "riverty" },
                { label: t("settings.partner.mediafinanz"), value: "mediafinanz" },
              ]}
              helpText={
                choice === "sandbox"
                  ? t("settings.partner.sandboxHelp")
                  : choice === "sandbox_mediafinanz"
                    ? t("settings.partner.sandboxMediafinanzHelp")
                    : undefined
              }
              error={err("partner.partner")}
            />
            {partner.partner && partner.casesWithPartner > 0 && !partner.partner.startsWith("sandbox") ? (
              <Banner tone="info">
                {t("settings.partner.casesWithPartnerInfo", { count: partner.casesWithPartner })}
              </Banner>
            ) : null}
            {choice === "riverty" || choice === "mediafinanz" ? (
              <CredentialFields
                partner={partner}
                kind={choice}
                environment={environment}
                onEnvironmentChange={setEnvironment}
                replacing={replacing}
                onReplace={() => setReplacing(true)}
                err={err}
              />
            ) : null}
            <PartnerAbilities abilities={partner.abilities[choice as keyof PartnerSettingsView["abilities"]]} />
            <PartnerButtons />
          </FormLayout>
        </Section>
      </Layout>
    </Form>
  );
}

/** What the chosen partner does through Mahnwerk, and where the shop does the rest. */
function PartnerAbilities({
  abilities,
}: {
  abilities: PartnerSettingsView["abilities"][keyof PartnerSettingsView["abilities"]] | undefined;
}) {
  const t = useT();
  if (!abilities) return null;
  const missing = [
    abilities.directPaymentReport ? null : t("settings.partner.no.directPaymentReport"),
    abilities.lookupByReference ? null : t("settings.partner.no.lookupByReference"),
    abilities.courtDunning ? null : t("settings.partner.no.courtDunning"),
  ].filter((line): line is string => line !== null);
  if (missing.length === 0) return null;
  return (
    <Banner tone="info" title={t("settings.partner.limits")}>
      <BlockStack gap="100">
        {missing.map((line) => (
          <Text as="p" key={line}>
            {line}
          </Text>
        ))}
        {abilities.portal ? <Text as="p">{t("settings.partner.portal", { portal: abilities.portal })}</Text> : null}
      </BlockStack>
    </Banner>
  );
}

function CredentialFields({
  partner,
  kind,
  environment,
  onEnvironmentChange,
  replacing,
  onReplace,
  err,
}: {
  partner: PartnerSettingsView;
  kind: "riverty" | "mediafinanz";
  environment: string;
  onEnvironmentChange: (environment: string) => void;
  replacing: boolean;
  onReplace: () => void;
  err: ErrorFor;
}) {
  const t = useT();
  const envLabel = (env: "sandbox" | "production") => t(`settings.partner.environment.${env}`);
  // Its own layout: inside the section's FormLayout a fragment would be one item, its fields without spacing.
  return (
    <FormLayout>
      <Select
        label={t("settings.partner.environment")}
        name="environment"
        value={environment}
        onChange={onEnvironmentChange}
        options={(["sandbox", "production"] as const).map((env) => ({
          value: env,
          label: partner.available[kind][env]
            ? envLabel(env)
            : t("settings.partner.environment.unavailable", { environment: envLabel(env) }),
          disabled: !partner.available[kind][env],
        }))}
        error={err("partner.environment")}
      />
      {kind === "mediafinanz" ? (
        <FormField
          label={t("settings.partner.uuid")}
          name="uuid"
          defaultValue={partner.uuid}
          autoComplete="off"
          error={err("partner.uuid")}
        />
      ) : null}
      <FormField
        label={t(kind === "mediafinanz" ? "settings.partner.user" : "settings.partner.clientId")}
        name="clientId"
        defaultValue={partner.clientId}
        autoComplete="off"
        error={err("partner.clientId")}
      />
      {replacing ? (
        <FormField
          label={t(kind === "mediafinanz" ? "settings.partner.password" : "settings.partner.clientSecret")}
          name="clientSecret"
          type="password"
          defaultValue=""
          autoComplete="new-password"
          helpText={partner.secretStored ? t("settings.partner.secretKeep") : undefined}
          error={err("partner.clientSecret")}
        />
      ) : (
        <BlockStack gap="100">
          <Text as="span">
            {t(kind === "mediafinanz" ? "settings.partner.password" : "settings.partner.clientSecret")}
          </Text>
          <InlineStack gap="200" blockAlign="center">
            <Badge tone="success">{t("settings.partner.secretStored")}</Badge>
            <Button variant="plain" onClick={onReplace}>
              {t("settings.partner.replaceSecret")}
            </Button>
          </InlineStack>
        </BlockStack>
      )}
    </FormLayout>
  );
}

function PartnerButtons() {
  const t = useT();
  const navigation = useNavigation();
  const intentRef = useRef<HTMLInputElement>(null);
  const busy = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  return (
    <InlineStack gap="200" align="end">
      {/* Polaris buttons carry no name/value: the clicked one sets the intent just before the form submits. */}
      <input type="hidden" name="intent" ref={intentRef} defaultValue="savePartner" />
      <Button
        submit
        onClick={() => intentRef.current && (intentRef.current.value = "testPartner")}
        loading={busy === "testPartner"}
      >
        {t("settings.partner.test")}
      </Button>
      <Button
        submit
        onClick={() => intentRef.current && (intentRef.current.value = "savePartner")}
        variant="primary"
        loading={busy === "savePartner"}
      >
        {t("settings.partner.save")}
      </Button>
    </InlineStack>
  );
}
