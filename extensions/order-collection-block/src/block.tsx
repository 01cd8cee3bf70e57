/** @jsxImportSource preact */
// The admin components (s-admin-block, s-badge, …) as JSX elements of this target.
import type {} from "@shopify/ui-extensions/admin.order-details.block.render";
import { useEffect, useState } from "preact/hooks";

import type { BlockClient, BlockState, CaseAction, Summary } from "./data";

export type Translate = (key: string, values?: Record<string, string | number>) => string;

type Props = {
  client: BlockClient;
  t: Translate;
  /** Where the case page opens: inside Shopify admin the app's page, in the app's preview a plain path. */
  caseHref: (casePath: string) => string;
};

/** The order's Mahnwerk case on the order page, with Start and Cancel as in the tab (a reason each time). */
export function OrderCollectionBlock({ client, t, caseHref }: Props) {
  const [state, setState] = useState<BlockState>({ kind: "loading" });
  useEffect(() => {
    let current = true;
    void client.load().then((next) => current && setState(next));
    return () => {
      current = false;
    };
  }, [client]);
  return (
    <s-admin-block heading={t("heading")}>
      {state.kind === "loading" ? <s-paragraph>{t("loading")}</s-paragraph> : null}
      {state.kind === "failed" ? <s-banner tone="critical">{t(`failed.${state.problem}`)}</s-banner> : null}
      {state.kind === "ready" ? (
        <CaseSummary
          summary={state.summary}
          refusal={state.refusal}
          t={t}
          caseHref={caseHref}
          act={async (action, reason) => setState(await client.act(action, reason))}
        />
      ) : null}
    </s-admin-block>
  );
}

function CaseSummary({
  summary,
  refusal,
  t,
  caseHref,
  act,
}: {
  summary: Summary;
  refusal: string | null;
  t: Translate;
  caseHref: (casePath: string) => string;
  act: (action: CaseAction, reason: string) => Promise<void>;
}) {
  if (!summary.tracked) return <s-paragraph>{summary.text}</s-paragraph>;
  return (
    <s-stack direction="block" gap="base">
      {refusal ? <s-banner tone="critical">{refusal}</s-banner> : null}
      <s-stack direction="inline" gap="small" alignItems="center">
        <s-badge tone={summary.tone}>{summary.statusText}</s-badge>
        <s-text type="strong">{summary.outstandingText}</s-text>
        <s-text color="subdued">{t("outstanding")}</s-text>
      </s-stack>
      <s-stack direction="block" gap="small-300">
        <s-text>{t("level", { level: summary.levelText })}</s-text>
        {summary.nextText ? <s-text>{t("next", { next: summary.nextText })}</s-text> : null}
      </s-stack>
      {summary.timeline.length > 0 ? (
        <s-stack direction="block" gap="small-300">
          <s-heading>{t("timeline")}</s-heading>
          {summary.timeline.map((entry, index) => (
            <s-stack key={`${entry.at}-${index}`} direction="block" gap="none">
              <s-text type="strong">{entry.title}</s-text>
              <s-text color="subdued">
                {entry.at} · {entry.actor}
              </s-text>
              {entry.reason ? <s-text>{t("reasonGiven", { reason: entry.reason })}</s-text> : null}
            </s-stack>
          ))}
        </s-stack>
      ) : null}
      <CaseActions
        key={`${summary.caseId}-${summary.status}`}
        actions={summary.actions}
        reasonMax={summary.reasonMax}
        t={t}
        act={act}
      />
      <s-link href={caseHref(summary.casePath)}>{t("openCase")}</s-link>
    </s-stack>
  );
}

/** Start or Cancel: the button opens a reason field; the action runs only with a reason, as in the tab. */
function CaseActions({
  actions,
  reasonMax,
  t,
  act,
}: {
  actions: CaseAction[];
  reasonMax: number;
  t: Translate;
  act: (action: CaseAction, reason: string) => Promise<void>;
}) {
  const [chosen, setChosen] = useState<CaseAction | null>(null);
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  if (actions.length === 0) return null;
  if (!chosen)
    return (
      <s-stack direction="inline" gap="small">
        {actions.map((action) => (
          <s-button
            key={action}
            variant={action === "start" ? "primary" : "secondary"}
            tone={action === "cancel" ? "critical" : "auto"}
            onClick={() => setChosen(action)}
          >
            {t(`action.${action}`)}
          </s-button>
        ))}
      </s-stack>
    );
  const confirm = async () => {
    if (reason.trim() === "") {
      setMissing(true);
      return;
    }
    setBusy(true);
    await act(chosen, reason.trim());
    setBusy(false);
  };
  return (
    <s-stack direction="block" gap="small">
      <s-text-area
        label={t(`reason.${chosen}`)}
        value={reason}
        maxLength={reasonMax}
        rows={2}
        error={missing ? t("reason.required") : undefined}
        onInput={(event) => {
          setReason(event.currentTarget.value);
          setMissing(false);
        }}
      />
      <s-stack direction="inline" gap="small">
        <s-button
          variant="primary"
          tone={chosen === "cancel" ? "critical" : "auto"}
          loading={busy}
          onClick={() => void confirm()}
        >
          {t(`confirm.${chosen}`)}
        </s-button>
        <s-button variant="secondary" disabled={busy} onClick={() => setChosen(null)}>
          {t("back")}
        </s-button>
      </s-stack>
    </s-stack>
  );
}
