import { Banner, Layout, List } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseView } from "./case-data";

/** Why the case failed its checks and why it is blocked, each in a warning above the cards. */
export function CaseWarnings({ failureReasons, blockReasons }: Pick<CaseView, "failureReasons" | "blockReasons">) {
  const t = useT();
  // A block code without a message of its own is shown as it is rather than as its message key.
  const blockText = (r: string) => (t(`block.${r}` as MessageKey) === `block.${r}` ? r : t(`block.${r}` as MessageKey));
  return (
    <>
      {failureReasons.length > 0 ? (
        <Layout.Section>
          <Banner tone="warning" title={t("case.failureReasons")}>
            <List>
              {failureReasons.map((r) => (
                <List.Item key={r}>{t(`check.${r}` as MessageKey)}</List.Item>
              ))}
            </List>
          </Banner>
        </Layout.Section>
      ) : null}
      {blockReasons.length > 0 ? (
        <Layout.Section>
          <Banner tone="warning" title={t("case.blockReasons")}>
            <List>
              {blockReasons.map((r) => (
                <List.Item key={r}>{blockText(r)}</List.Item>
              ))}
            </List>
          </Banner>
        </Layout.Section>
      ) : null}
    </>
  );
}
