import type { IndexFiltersProps } from "@shopify/polaris";

import { CASE_STATUSES } from "#app/domain/case/status";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";

export const TABS = ["all", ...CASE_STATUSES] as const;
export type StatusTab = (typeof TABS)[number];
export type StatusCounts = Record<StatusTab, number> & { capped: string[] };

/** One tab per status with its count; a capped count (countCasesByStatus) reads "1,000+", "at least 1,000" aloud. */
export function useStatusTabs(counts: StatusCounts, status: string | null) {
  const t = useT();
  const { intl } = useLocale();
  const number = (n: number) => new Intl.NumberFormat(intl).format(n);
  const countText = (tab: StatusTab) =>
    counts.capped.includes(tab) ? t("cases.tab.atLeast", { count: number(counts[tab]) }) : number(counts[tab]);
  const selected = Math.max(0, TABS.indexOf((status ?? "all") as StatusTab));
  const tabs: IndexFiltersProps["tabs"] = TABS.map((id, index) => {
    const label = id === "all" ? t("cases.tab.all") : t(`status.${id}` as MessageKey);
    const count = counts.capped.includes(id)
      ? t("cases.tab.atLeastLabel", { count: number(counts[id]) })
      : countText(id);
    return {
      id: `tab-${id}`,
      content: label,
      badge: countText(id),
      accessibilityLabel: `${label} (${count})`,
      onAction: () => undefined,
      index,
    };
  });
  return { tabs, selected, totalInView: countText(TABS[selected]!) };
}
