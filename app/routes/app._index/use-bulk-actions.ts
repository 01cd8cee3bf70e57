import { useFetcher } from "@remix-run/react";
import { type IndexTableProps, useIndexResourceState } from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";

import type { ActionFailure } from "#app/components/action-result-banner";
import type { MessageKey } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { withLocale } from "#app/utils/format";
import { useLatest } from "#app/utils/use-latest";

import type { action } from "./route";
import type { CaseListRow, RowIntent } from "./types";

type Pending = { intent: RowIntent; scope: "selected" | "all"; ids: string[] };
type Result = { action: RowIntent; succeeded: number; failures: ActionFailure[] };

/**
 * Starting or cancelling cases from the list: one row's buttons, the selected rows, or every case the view matches
 * (a bulk run, when the selection reaches past this page). Each asks for a reason first; the outcome is shown as a
 * banner and the selection cleared.
 */
export function useBulkActions(options: {
  cases: CaseListRow[];
  params: URLSearchParams;
  listSearch: string;
  /** The count of the view, as its tab reads ("1,000+" when capped). */
  totalInView: string;
  /** The view has more cases than this page. */
  hasMore: boolean;
}) {
  const { cases, params, listSearch, totalInView, hasMore } = options;
  const t = useT();
  const fetcher = useFetcher<typeof action>();
  const [pending, setPending] = useState<Pending | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const rows = useMemo(() => cases.map((c) => ({ id: c.id })), [cases]);
  const selection = useIndexResourceState(rows);
  const clearSelection = useLatest(selection.clearSelection);

  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data || !fetcher.data.ok) return;
    setResult({ action: fetcher.data.action, succeeded: fetcher.data.succeeded, failures: fetcher.data.failures });
    setPending(null);
    clearSelection.current();
  }, [fetcher.state, fetcher.data, clearSelection]);

  const open = (intent: RowIntent, scope: Pending["scope"], ids: string[]) => {
    setResult(null);
    setPending({ intent, scope, ids });
  };
  const everyMatch = selection.allResourcesSelected && hasMore;
  const eligible = (intent: RowIntent) =>
    cases.filter((c) => selection.selectedResources.includes(c.id) && c.actions.includes(intent)).map((c) => c.id);
  const promotedBulkActions: IndexTableProps["promotedBulkActions"] = (["start", "cancel"] as const)
    .filter((intent) => selection.allResourcesSelected || eligible(intent).length > 0)
    .map((intent) => ({
      content: everyMatch
        ? t(intent === "start" ? "bulk.startAll" : "bulk.cancelAll", { count: totalInView })
        : t(intent === "start" ? "bulk.start" : "bulk.cancel", { count: eligible(intent).length }),
      destructive: intent === "cancel",
      onAction: () => (everyMatch ? open(intent, "all", []) : open(intent, "selected", eligible(intent))),
    }));

  const submit = (reason: string) => {
    if (!pending) return;
    const form = new FormData();
    form.set("intent", pending.intent);
    form.set("scope", pending.scope);
    form.set("reason", reason);
    if (pending.scope === "all") form.set("filter", listSearch);
    for (const id of pending.ids) form.append("ids", id);
    fetcher.submit(form, { method: "post", action: withLocale("/app?index", params) });
  };
  const modal = pending
    ? {
        key: `${pending.intent}-${pending.scope}-${pending.ids.join(",")}`,
        props: {
          intent: pending.intent,
          description:
            pending.scope === "all"
              ? t(pending.intent === "start" ? "bulk.confirmStartAll" : "bulk.confirmCancelAll", { count: totalInView })
              : t(pending.intent === "start" ? "bulk.confirmStart" : "bulk.confirmCancel", {
                  count: pending.ids.length,
                }),
          submitting: fetcher.state !== "idle",
          serverError:
            fetcher.state === "idle" && fetcher.data && !fetcher.data.ok
              ? t(fetcher.data.reasonError as MessageKey)
              : null,
          onSubmit: submit,
          onClose: () => setPending(null),
        },
      }
    : null;

  return {
    selection,
    promotedBulkActions,
    actOnRow: (intent: RowIntent, id: string) => open(intent, "selected", [id]),
    result,
    dismissResult: () => setResult(null),
    modal,
  };
}
