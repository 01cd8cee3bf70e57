import { Banner, Layout } from "@shopify/polaris";

import { useT } from "#app/i18n/react";
import type { SettingsSaveOutcome } from "#app/services/settings/settings.server";

/** What came of the last save of the settings form: saved, someone else saved first, or how many fields are wrong. */
export function SaveResultBanners({ result }: { result: SettingsSaveOutcome | undefined }) {
  const t = useT();
  return (
    <>
      {result?.ok ? (
        <Layout.Section>
          <Banner tone="success">{t("settings.saved")}</Banner>
        </Layout.Section>
      ) : null}
      {result && !result.ok && result.conflict ? (
        <Layout.Section>
          <Banner tone="critical" title={t("settings.conflict.title")}>
            <p>{t("settings.conflict.body")}</p>
          </Banner>
        </Layout.Section>
      ) : null}
      {result && !result.ok && !result.conflict ? (
        <Layout.Section>
          <Banner tone="critical">{t("settings.invalid", { count: Object.keys(result.errors).length })}</Banner>
        </Layout.Section>
      ) : null}
    </>
  );
}
