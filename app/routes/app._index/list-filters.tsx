import type { IndexFiltersProps } from "@shopify/polaris";

import { useT } from "#app/i18n/react";

import { AmountFilter, useAmountFilter } from "./amount-filter";
import type { ListUrl } from "./list-url";
import { PeriodFilter, usePeriodFilter } from "./period-filter";

/** The URL parameters "clear all" removes: every filter and the search, never status, sort or language. */
export const CLEARED_FILTERS = { period: null, from: null, to: null, minAmount: null, maxAmount: null, q: null };

/** The pinned filters of the list (due period, outstanding amount) and the chips of those applied. */
export function useListFilters(url: ListUrl, currency: string) {
  const t = useT();
  const period = usePeriodFilter(url);
  const amount = useAmountFilter(url, currency);
  const filters: IndexFiltersProps["filters"] = [
    { key: "period", label: t("filter.period"), pinned: true, filter: <PeriodFilter state={period} /> },
    { key: "amount", label: t("filter.amount"), pinned: true, filter: <AmountFilter state={amount} /> },
  ];
  const appliedFilters: NonNullable<IndexFiltersProps["appliedFilters"]> = [];
  if (period.applied) appliedFilters.push(period.applied);
  if (amount.applied) appliedFilters.push(amount.applied);
  return { filters, appliedFilters, resetTyped: amount.reset };
}
