import { Banner, List } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

export type ActionFailure = { caseId: string; orderName: string; code: string; message: string };

/** Why one case could not be started or cancelled, in the admin's language. */
export function useFailureText() {
  const t = useT();
  return (failure: Pick<ActionFailure, "code" | "message">) => {
    if (failure.code === "precheck_failed") {
      return failure.message
        .split(", ")
        .map((code) => t(`check.${code}` as MessageKey))
        .join(", ");
    }
    const key = `refusal.${failure.code}` as MessageKey;
    const text = t(key);
    return text === key ? failure.message : text;
  };
}

/** How many succeeded and which failed, and why. */
export function ActionResultBanner({
  action,
  succeeded,
  failures,
  onDismiss,
}: {
  action: "start" | "cancel";
  succeeded: number;
  failures: ActionFailure[];
  onDismiss?: () => void;
}) {
  const t = useT();
  const why = useFailureText();
  return (
    <Banner
      tone={failures.length === 0 ? "success" : succeeded === 0 ? "critical" : "warning"}
      title={t(action === "start" ? "bulk.result.started" : "bulk.result.cancelled", {
        succeeded,
        failed: failures.length,
      })}
      onDismiss={onDismiss}
    >
      {failures.length > 0 ? (
        <List>
          {failures.map((f) => (
            <List.Item key={f.caseId}>
              {f.orderName || f.caseId}: {why(f)}
            </List.Item>
          ))}
        </List>
      ) : null}
    </Banner>
  );
}
