import { EmptyState, IndexTable, type IndexTableProps } from "@shopify/polaris";

import { useT } from "#app/i18n/react";

import { CaseRow } from "./case-row";
import type { CasesIndexData, RowIntent } from "./types";
import type { useBulkActions } from "./use-bulk-actions";

/** The page of cases with selection, bulk actions, an empty state that says whether filters hid them, and paging. */
export function CasesTable({
  data,
  bulk,
  loading,
  filtered,
  hasMore,
  onOpen,
  onNext,
  onPrevious,
  hasPrevious,
}: {
  data: Pick<CasesIndexData, "cases" | "today" | "timezone" | "nextCursor">;
  bulk: Pick<ReturnType<typeof useBulkActions>, "selection" | "promotedBulkActions" | "actOnRow">;
  loading: boolean;
  filtered: boolean;
  hasMore: boolean;
  hasPrevious: boolean;
  onOpen: (id: string) => void;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const t = useT();
  const { selectedResources, allResourcesSelected, handleSelectionChange } = bulk.selection;
  const headings: IndexTableProps["headings"] = [
    { title: t("cases.column.order") },
    { title: t("cases.column.customer") },
    { title: t("cases.column.outstanding"), alignment: "end" },
    { title: t("cases.column.dueDate") },
    { title: t("cases.column.daysOverdue"), alignment: "end" },
    { title: t("cases.column.status") },
    { title: t("cases.column.level") },
    { title: t("cases.column.nextAction") },
    { title: t("cases.column.actions"), hidden: false },
  ];
  return (
    <IndexTable
      resourceName={{ singular: t("cases.resourceName.singular"), plural: t("cases.resourceName.plural") }}
      itemCount={data.cases.length}
      selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
      onSelectionChange={handleSelectionChange}
      hasMoreItems={hasMore}
      promotedBulkActions={bulk.promotedBulkActions}
      loading={loading}
      emptyState={
        <EmptyState heading={t("cases.empty.heading")} image="/empty-cases.svg">
          <p>{filtered ? t("cases.empty.filtered") : t("cases.empty.body")}</p>
        </EmptyState>
      }
      headings={headings}
      pagination={{
        hasNext: Boolean(data.nextCursor),
        onNext,
        hasPrevious,
        onPrevious,
        accessibilityLabels: { previous: t("cases.pagination.previous"), next: t("cases.pagination.next") },
      }}
    >
      {data.cases.map((row, index) => (
        <CaseRow
          key={row.id}
          row={row}
          position={index}
          selected={selectedResources.includes(row.id)}
          today={data.today}
          timezone={data.timezone}
          onOpen={onOpen}
          onAct={(intent: RowIntent, id: string) => bulk.actOnRow(intent, id)}
        />
      ))}
    </IndexTable>
  );
}
