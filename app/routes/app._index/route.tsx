import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  redirect,
  useLoaderData,
  useNavigate,
  useNavigation,
  useRouteError,
} from "@remix-run/react";
import { Banner, BlockStack, Card, IndexFilters, Page, useSetIndexFiltersMode } from "@shopify/polaris";
import { z } from "zod";

import { ActionResultBanner } from "#app/components/action-result-banner";
import { ReasonModal } from "#app/components/reason-modal";
import { allowedManualActions } from "#app/domain/case/transitions";
import { useT } from "#app/i18n/react";
import { bulkRunJob } from "#app/jobs/cases.server";
import { actOnCases, BULK_ACTIONS, createBulkRun } from "#app/services/cases/bulk-runs.server";
import { caseListQuerySchema, countCasesByStatus, listCases } from "#app/services/cases/list.server";
import { caseFromJson } from "#app/services/cases/serialization";
import { latestImport } from "#app/services/intake/order-imports.server";
import { withLocale } from "#app/utils/format";
import { apiActionBody } from "#app/web/api/schemas";
import { requireShopContext } from "#app/web/shop-context.server";

import { CasesTable } from "./cases-table";
import { CLEARED_FILTERS, useListFilters } from "./list-filters";
import { ListNotices } from "./list-notices";
import { useListUrl } from "./list-url";
import { selectedSort, sortOptions, sortParams } from "./sort-options";
import { TABS, useStatusTabs } from "./status-tabs";
import { useBulkActions } from "./use-bulk-actions";
import { useDebouncedQuery } from "./use-debounced-query";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, tenant } = await requireShopContext(request);
  const url = new URL(request.url);
  const parsed = caseListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  // A hand-edited or outdated link shows the unfiltered list with a notice instead of an error page.
  const query = parsed.success ? parsed.data : caseListQuerySchema.parse({});
  const now = new Date();
  const context = { timeZone: shop.timezone, now };
  const { status: _status, ...countQuery } = query;
  const [page, counts, importRun] = await tenant((db) =>
    Promise.all([
      listCases(db, shop.id, query, context),
      countCasesByStatus(db, shop.id, countQuery, context),
      latestImport(db, shop.id),
    ]),
  );
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: shop.timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  return {
    invalidFilter: !parsed.success,
    // The import of a newly connected shop, while it runs (or when it failed): how far it got.
    importRun:
      importRun && importRun.status !== "done"
        ? {
            status: importRun.status,
            processed: importRun.processed,
            total: importRun.total,
            error: importRun.error ?? "",
          }
        : null,
    timezone: shop.timezone,
    currency: shop.currency,
    today: now.toISOString(),
    counts,
    nextCursor: page.nextCursor,
    cases: page.cases.map((c) => ({
      id: c.id,
      kind: c.kind,
      status: c.status,
      orderName: c.orderName,
      customer: [c.customerFirstName, c.customerLastName].filter(Boolean).join(" "),
      outstandingMinor: c.outstandingMinor,
      currency: c.currency,
      dueDate: c.dueDate,
      dunningLevel: c.dunningLevel,
      partnerSubStatus: c.partnerSubStatus,
      cancellationRequested: c.cancellationRequested,
      nextActionDate: c.nextActionAt ? fmt.format(c.nextActionAt) : null,
      actions: allowedManualActions(caseFromJson(c.state)),
    })),
  };
}

const actionSchema = z.discriminatedUnion("scope", [
  z.object({
    scope: z.literal("selected"),
    intent: z.enum(BULK_ACTIONS),
    reason: apiActionBody.shape.reason,
    ids: z.array(z.uuid()).min(1).max(250),
  }),
  z.object({
    scope: z.literal("all"),
    intent: z.enum(BULK_ACTIONS),
    reason: apiActionBody.shape.reason,
    filter: z.string().max(2_000),
  }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const form = await request.formData();
  const parsed = actionSchema.safeParse({
    scope: form.get("scope"),
    intent: form.get("intent"),
    reason: form.get("reason") ?? "",
    ids: form.getAll("ids"),
    filter: form.get("filter") ?? "",
  });
  if (!parsed.success) {
    const reasonIssue = parsed.error.issues.find((i) => i.path[0] === "reason");
    return {
      ok: false as const,
      reasonError: reasonIssue
        ? reasonIssue.code === "too_big"
          ? "action.reasonTooLong"
          : "action.reasonRequired"
        : "action.invalid",
    };
  }
  const actor = { type: "staff" as const, id: staff.id, name: staff.name };
  const now = new Date();
  if (parsed.data.scope === "selected") {
    const { intent, ids, reason } = parsed.data;
    const result = await tenant((db) => actOnCases(db, shop, { action: intent, caseIds: ids, reason, actor, now }));
    return { ok: true as const, ...result };
  }
  const filter = caseListQuerySchema.safeParse(Object.fromEntries(new URLSearchParams(parsed.data.filter)));
  if (!filter.success) return { ok: false as const, reasonError: "action.invalid" };
  // Enqueued after the scope's transaction committed, so the job finds the run.
  const run = await tenant((db) =>
    createBulkRun(db, shop, { action: parsed.data.intent, reason: parsed.data.reason, query: filter.data, actor, now }),
  );
  await context.jobs.send(bulkRunJob, { runId: run.id }, { singletonKey: run.id });
  return redirect(withLocale(`/app/bulk/${run.id}`, parsed.data.filter));
}

export default function CasesIndex() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const url = useListUrl();
  const { params, goTo, listSearch } = url;
  const navigate = useNavigate();
  const navigation = useNavigation();
  const { mode, setMode } = useSetIndexFiltersMode();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";
  const tabs = useStatusTabs(data.counts, params.get("status"));
  const { filters, appliedFilters, resetTyped } = useListFilters(url, data.currency);
  // Replacing the history entry, so Back skips the keystrokes.
  const [query, setQuery] = useDebouncedQuery(params.get("q") ?? "", (q) => goTo({ q }, true));
  const hasMore = Boolean(data.nextCursor) || params.has("cursor");
  const bulk = useBulkActions({ cases: data.cases, params, listSearch, totalInView: tabs.totalInView, hasMore });

  return (
    <Page
      title={t("cases.title")}
      subtitle={t("cases.subtitle")}
      fullWidth
      secondaryActions={[
        // A document request: the attachment downloads and the list stays where it is.
        {
          content: t("cases.download"),
          onAction: () => window.location.assign(`/app/cases.csv?${listSearch}`),
          accessibilityLabel: t("cases.downloadLabel"),
        },
        { content: t("nav.reports"), url: withLocale("/app/reports", params) },
        { content: t("nav.settings"), url: withLocale("/app/settings", params) },
      ]}
    >
      <BlockStack gap="400">
        <ListNotices invalidFilter={data.invalidFilter} importRun={data.importRun} />
        {bulk.result ? <ActionResultBanner {...bulk.result} onDismiss={bulk.dismissResult} /> : null}
        <Card padding="0">
          <IndexFilters
            tabs={tabs.tabs}
            selected={tabs.selected}
            onSelect={(i) => goTo({ status: i === 0 ? null : (TABS[i] ?? null) })}
            canCreateNewView={false}
            queryValue={query}
            queryPlaceholder={t("filter.queryPlaceholder")}
            onQueryChange={setQuery}
            onQueryClear={() => {
              setQuery("");
              goTo({ q: null });
            }}
            sortOptions={sortOptions(t)}
            sortSelected={selectedSort(params)}
            onSort={([value]) => goTo(sortParams(value))}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => {
              resetTyped();
              setQuery("");
              goTo(CLEARED_FILTERS);
            }}
            cancelAction={{ onAction: () => undefined, disabled: false, loading: false }}
            mode={mode}
            setMode={setMode}
            loading={loading}
            filteringAccessibilityLabel={t("filter.label")}
          />
          <CasesTable
            data={data}
            bulk={bulk}
            loading={loading}
            filtered={appliedFilters.length > 0 || Boolean(params.get("q") || params.get("status"))}
            hasMore={hasMore}
            hasPrevious={params.has("cursor")}
            onOpen={(id) => navigate(withLocale(`/app/cases/${id}`, params))}
            onNext={() => goTo({ cursor: data.nextCursor })}
            onPrevious={() => navigate(-1)}
          />
        </Card>
      </BlockStack>
      {bulk.modal ? <ReasonModal key={bulk.modal.key} {...bulk.modal.props} /> : null}
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  return (
    <Page title={t("cases.title")}>
      <Banner tone="critical" title={t("error.title")}>
        <p>{isRouteErrorResponse(error) ? `${error.status} ${String(error.data ?? "")}` : t("error.body")}</p>
      </Banner>
    </Page>
  );
}
