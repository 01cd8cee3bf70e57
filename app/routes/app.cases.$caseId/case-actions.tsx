import { Banner, Layout, type PageProps } from "@shopify/polaris";

import { type CaseIntent, ReasonModal } from "#app/components/reason-modal";
import type { MessageKey, Translate } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseData } from "./case-data";
import type { CaseAction } from "./use-case-action";

/** Start and cancel sit in the page's header, offered only where the case's state allows them. */
export function pageActions(
  allowed: CaseData["allowedActions"],
  t: Translate,
  choose: (intent: CaseIntent) => void,
): Pick<PageProps, "primaryAction" | "secondaryActions"> {
  return {
    primaryAction: allowed.includes("start")
      ? { content: t("action.start"), onAction: () => choose("start") }
      : undefined,
    secondaryActions: allowed.includes("cancel")
      ? [{ content: t("action.cancel"), destructive: true, onAction: () => choose("cancel") }]
      : [],
  };
}

/** What the last action came to; a refusal shows here once its modal is closed, in the modal before. */
export function ActionOutcome({ action }: { action: CaseAction }) {
  const t = useT();
  const { result, intent } = action;
  return (
    <>
      {result && result.ok ? (
        <Layout.Section>
          <Banner tone="success">{t("action.done", { status: t(`status.${result.status}` as MessageKey) })}</Banner>
        </Layout.Section>
      ) : null}
      {result && !result.ok && !intent ? (
        <Layout.Section>
          <Banner tone="critical">{action.failure}</Banner>
        </Layout.Section>
      ) : null}
    </>
  );
}

/** The reason modal of the chosen action; confirming posts the intent and the reason to the page's action. */
export function CaseActionModal({ action }: { action: CaseAction }) {
  const { intent } = action;
  if (!intent) return null;
  return (
    <ReasonModal
      intent={intent}
      submitting={action.submitting}
      serverError={action.failure}
      onClose={action.close}
      onSubmit={(reason) => action.submit(intent, reason)}
    />
  );
}
