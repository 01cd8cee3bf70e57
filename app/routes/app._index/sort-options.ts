import type { IndexFiltersProps } from "@shopify/polaris";

import type { MessageKey, Translate } from "#app/i18n/i18n";

const SORTS = ["created", "due", "amount", "status"] as const;
const DEFAULT_SORT = "created desc";

/** Each sort key in both directions, with the direction worded for what it sorts (dates, amounts, statuses). */
export function sortOptions(t: Translate): IndexFiltersProps["sortOptions"] {
  const kind = (s: (typeof SORTS)[number]) => (s === "amount" ? "amount" : s === "status" ? "status" : "date");
  return SORTS.flatMap((s) => [
    {
      label: t(`sort.${s}` as MessageKey),
      value: `${s} asc` as const,
      directionLabel: t(`sort.ascending.${kind(s)}`),
    },
    {
      label: t(`sort.${s}` as MessageKey),
      value: `${s} desc` as const,
      directionLabel: t(`sort.descending.${kind(s)}`),
    },
  ]);
}

export function selectedSort(params: URLSearchParams): string[] {
  return [`${params.get("sort") ?? "created"} ${params.get("direction") ?? "desc"}`];
}

/** The URL parameters of a chosen sort; the default leaves none. */
export function sortParams(value: string | undefined): { sort: string | null; direction: string | null } {
  const [sort, direction] = (value ?? DEFAULT_SORT).split(" ");
  if (`${sort} ${direction}` === DEFAULT_SORT) return { sort: null, direction: null };
  return { sort: sort ?? null, direction: direction ?? null };
}
