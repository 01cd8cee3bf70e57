import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  redirect,
  useFetcher,
  useLoaderData,
  useNavigate,
  useNavigation,
  useRouteError,
  useSearchParams,
} from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  ChoiceList,
  EmptyState,
  IndexFilters,
  IndexTable,
  InlineStack,
  Page,
  Text,
  TextField,
  useIndexResourceState,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
} from "@shopify/polaris";
import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { ActionResultBanner, type ActionFailure } from "#app/components/action-result-banner";
import { CaseStatusBadge } from "#app/components/case-status-badge";
import { ReasonModal } from "#app/components/reason-modal";
import { CASE_STATUSES } from "#app/domain/case/status";
import { allowedManualActions } from "#app/domain/case/transitions";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { bulkRunJob } from "#app/jobs/cases.server";
import { apiActionBody } from "#app/web/api/schemas";
import { actOnCases, BULK_ACTIONS, createBulkRun } from "#app/services/cases/bulk-runs.server";
import { caseListQuerySchema, countCasesByStatus, listCases } from "#app/services/cases/list.server";
import { caseFromJson } from "#app/services/cases/serialization";
import { latestImport } from "#app/services/intake/order-imports.server";
import { requireShopContext } from "#app/web/shop-context.server";
import { daysOverdue, formatDate, formatMinor, inputToMinor, minorToInput, withLocale } from "#app/utils/format";

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

const TABS = ["all", ...CASE_STATUSES] as const;
const SORTS = ["created", "due", "amount", "status"] as const;
const PERIOD_CHOICES = ["all", "7", "30", "90", "custom"] as const;
const NEXT_STEP: Record<string, MessageKey> = {
  none: "next.reminder_1",
  reminder_1: "next.reminder_2",
  reminder_2: "next.final_reminder",
  final_reminder: "next.handover",
};

type Pending = { intent: "start" | "cancel"; scope: "selected" | "all"; ids: string[] };

export default function CasesIndex() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const fetcher = useFetcher<typeof action>();
  const { mode, setMode } = useSetIndexFiltersMode();
  const [pending, setPending] = useState<Pending | null>(null);
  const [result, setResult] = useState<{
    action: "start" | "cancel";
    succeeded: number;
    failures: ActionFailure[];
  } | null>(null);
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";

  const rowsForSelection = useMemo(() => data.cases.map((c) => ({ id: c.id })), [data.cases]);
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } =
    useIndexResourceState(rowsForSelection);

  const status = params.get("status") ?? "all";
  const selectedTab = Math.max(0, TABS.indexOf(status as (typeof TABS)[number]));
  // A filtered count stops at a cap (countCasesByStatus): such a tab reads "1,000+", and so does "start all …".
  const number = (n: number) => new Intl.NumberFormat(intl).format(n);
  const countText = (tab: (typeof TABS)[number]) =>
    data.counts.capped.includes(tab)
      ? t("cases.tab.atLeast", { count: number(data.counts[tab]) })
      : number(data.counts[tab]);
  const totalInView = countText(TABS[selectedTab]!);

  const goTo = (changes: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    if (!("cursor" in changes)) next.delete("cursor");
    navigate(`?${next.toString()}`, { replace, preventScrollReset: true });
  };

  // The search field updates the URL after a short pause, replacing the entry so Back skips the keystrokes.
  const [queryValue, setQueryValue] = useState(params.get("q") ?? "");
  useEffect(() => setQueryValue(params.get("q") ?? ""), [params]);
  useEffect(() => {
    if (queryValue === (params.get("q") ?? "")) return;
    const timer = setTimeout(() => goTo({ q: queryValue.trim() || null }, true), 350);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryValue]);

  // A finished fetcher: show how many succeeded and which failed, then reload counts and rows.
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data || !fetcher.data.ok) return;
    setResult({ action: fetcher.data.action, succeeded: fetcher.data.succeeded, failures: fetcher.data.failures });
    setPending(null);
    clearSelection();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);

  const period = params.get("period") ?? (params.get("from") || params.get("to") ? "custom" : "all");
  const [customFrom, setCustomFrom] = useState(params.get("from") ?? "");
  const [customTo, setCustomTo] = useState(params.get("to") ?? "");
  const [minText, setMinText] = useState(
    params.get("minAmount") ? minorToInput(Number(params.get("minAmount")), data.currency, intl) : "",
  );
  const [maxText, setMaxText] = useState(
    params.get("maxAmount") ? minorToInput(Number(params.get("maxAmount")), data.currency, intl) : "",
  );
  const minMinor = minText.trim() === "" ? null : inputToMinor(minText, data.currency);
  const maxMinor = maxText.trim() === "" ? null : inputToMinor(maxText, data.currency);
  const rangeInvalid = customFrom !== "" && customTo !== "" && customFrom > customTo;
  const amountInvalid = minMinor !== null && maxMinor !== null && minMinor > maxMinor;

  const tabs = TABS.map((id, index) => {
    const label = id === "all" ? t("cases.tab.all") : t(`status.${id}` as MessageKey);
    const count = data.counts.capped.includes(id)
      ? t("cases.tab.atLeastLabel", { count: number(data.counts[id]) })
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

  const filters: IndexFiltersProps["filters"] = [
    {
      key: "period",
      label: t("filter.period"),
      pinned: true,
      filter: (
        <BlockStack gap="200">
          <ChoiceList
            title={t("filter.period")}
            titleHidden
            choices={PERIOD_CHOICES.map((p) => ({ label: t(`filter.period.${p}` as MessageKey), value: p }))}
            selected={[period]}
            onChange={([value]) => {
              if (value === "custom") goTo({ period: null });
              else goTo({ period: value === "all" ? null : (value ?? null), from: null, to: null });
            }}
          />
          {period === "custom" ? (
            <BlockStack gap="200">
              <TextField
                label={t("filter.from")}
                type="date"
                value={customFrom}
                onChange={setCustomFrom}
                autoComplete="off"
              />
              <TextField
                label={t("filter.to")}
                type="date"
                value={customTo}
                onChange={setCustomTo}
                autoComplete="off"
                error={rangeInvalid ? t("filter.rangeInvalid") : undefined}
              />
              <Button
                disabled={rangeInvalid}
                onClick={() => goTo({ period: null, from: customFrom || null, to: customTo || null })}
              >
                {t("filter.apply")}
              </Button>
            </BlockStack>
          ) : null}
        </BlockStack>
      ),
    },
    {
      key: "amount",
      label: t("filter.amount"),
      pinned: true,
      filter: (
        <BlockStack gap="200">
          <TextField
            label={t("filter.amountFrom")}
            value={minText}
            onChange={setMinText}
            autoComplete="off"
            inputMode="decimal"
            suffix={data.currency}
            error={minMinor === null && minText.trim() !== "" ? t("form.error.amount") : undefined}
          />
          <TextField
            label={t("filter.amountTo")}
            value={maxText}
            onChange={setMaxText}
            autoComplete="off"
            inputMode="decimal"
            suffix={data.currency}
            error={
              maxMinor === null && maxText.trim() !== ""
                ? t("form.error.amount")
                : amountInvalid
                  ? t("filter.amountInvalid")
                  : undefined
            }
          />
          <Button
            disabled={
              (minMinor === null && minText.trim() !== "") ||
              (maxMinor === null && maxText.trim() !== "") ||
              amountInvalid
            }
            onClick={() =>
              goTo({
                minAmount: minMinor === null ? null : String(minMinor),
                maxAmount: maxMinor === null ? null : String(maxMinor),
              })
            }
          >
            {t("filter.apply")}
          </Button>
        </BlockStack>
      ),
    },
  ];

  const appliedFilters: IndexFiltersProps["appliedFilters"] = [];
  if (period !== "all") {
    const label =
      period === "custom"
        ? t("filter.period.range", {
            from: params.get("from") ? formatDate(params.get("from")!, intl) : "…",
            to: params.get("to") ? formatDate(params.get("to")!, intl) : "…",
          })
        : t(`filter.period.${period}` as MessageKey);
    appliedFilters.push({ key: "period", label, onRemove: () => goTo({ period: null, from: null, to: null }) });
  }
  if (params.get("minAmount") || params.get("maxAmount")) {
    const fmt = (v: string | null) => (v ? formatMinor(Number(v), data.currency, intl) : "…");
    appliedFilters.push({
      key: "amount",
      label: t("filter.amount.applied", { from: fmt(params.get("minAmount")), to: fmt(params.get("maxAmount")) }),
      onRemove: () => {
        setMinText("");
        setMaxText("");
        goTo({ minAmount: null, maxAmount: null });
      },
    });
  }

  const sortOptions: IndexFiltersProps["sortOptions"] = SORTS.flatMap((s) => [
    {
      label: t(`sort.${s}` as MessageKey),
      value: `${s} asc` as const,
      directionLabel: t(
        s === "amount" ? "sort.ascending.amount" : s === "status" ? "sort.ascending.status" : "sort.ascending.date",
      ),
    },
    {
      label: t(`sort.${s}` as MessageKey),
      value: `${s} desc` as const,
      directionLabel: t(
        s === "amount" ? "sort.descending.amount" : s === "status" ? "sort.descending.status" : "sort.descending.date",
      ),
    },
  ]);
  const sortSelected = [`${params.get("sort") ?? "created"} ${params.get("direction") ?? "desc"}`];

  const listSearch = (() => {
    const p = new URLSearchParams(params);
    p.delete("cursor");
    return p.toString();
  })();

  const open = (intent: "start" | "cancel", scope: "selected" | "all", ids: string[]) => {
    setResult(null);
    setPending({ intent, scope, ids });
  };
  const selectedCases = data.cases.filter((c) => selectedResources.includes(c.id));
  const eligible = (intent: "start" | "cancel") =>
    selectedCases.filter((c) => c.actions.includes(intent)).map((c) => c.id);
  const hasMore = Boolean(data.nextCursor) || params.has("cursor");
  const promotedBulkActions = (["start", "cancel"] as const)
    .filter((intent) => allResourcesSelected || eligible(intent).length > 0)
    .map((intent) => ({
      content:
        allResourcesSelected && hasMore
          ? t(intent === "start" ? "bulk.startAll" : "bulk.cancelAll", { count: totalInView })
          : t(intent === "start" ? "bulk.start" : "bulk.cancel", { count: eligible(intent).length }),
      destructive: intent === "cancel",
      onAction: () =>
        allResourcesSelected && hasMore ? open(intent, "all", []) : open(intent, "selected", eligible(intent)),
    }));

  const submitReason = (reason: string) => {
    if (!pending) return;
    const form = new FormData();
    form.set("intent", pending.intent);
    form.set("scope", pending.scope);
    form.set("reason", reason);
    if (pending.scope === "all") form.set("filter", listSearch);
    for (const id of pending.ids) form.append("ids", id);
    fetcher.submit(form, { method: "post", action: withLocale("/app?index", params) });
  };
  const reasonError =
    fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? t(fetcher.data.reasonError as MessageKey) : null;

  const rows = data.cases.map((c, index) => (
    <IndexTable.Row
      id={c.id}
      key={c.id}
      position={index}
      selected={selectedResources.includes(c.id)}
      onClick={() => navigate(withLocale(`/app/cases/${c.id}`, params))}
    >
      <IndexTable.Cell>
        <InlineStack gap="100" wrap={false}>
          <Text as="span" fontWeight="semibold">
            {c.orderName}
          </Text>
          {c.kind === "chargeback" ? (
            <Text as="span" tone="magic" variant="bodySm">
              {t("kind.chargeback")}
            </Text>
          ) : null}
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>{c.customer}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatMinor(c.outstandingMinor, c.currency, intl)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{formatDate(c.dueDate, intl)}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {daysOverdue(c.dueDate, data.today, data.timezone)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <CaseStatusBadge
          status={c.status}
          partnerSubStatus={c.partnerSubStatus}
          cancellationRequested={c.cancellationRequested}
        />
      </IndexTable.Cell>
      <IndexTable.Cell>{t((c.dunningLevel ? `level.${c.dunningLevel}` : "level.none") as MessageKey)}</IndexTable.Cell>
      <IndexTable.Cell>
        <NextAction status={c.status} level={c.dunningLevel} date={c.nextActionDate} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        {/* Buttons inside a clickable row must not open the case. */}
        <div onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()} role="presentation">
          <ButtonGroup noWrap>
            {c.actions.includes("start") ? (
              <Button
                size="slim"
                onClick={() => open("start", "selected", [c.id])}
                accessibilityLabel={t("row.startLabel", { order: c.orderName })}
              >
                {t("action.start")}
              </Button>
            ) : null}
            {c.actions.includes("cancel") ? (
              <Button
                size="slim"
                tone="critical"
                variant="plain"
                onClick={() => open("cancel", "selected", [c.id])}
                accessibilityLabel={t("row.cancelLabel", { order: c.orderName })}
              >
                {t("action.cancel")}
              </Button>
            ) : null}
          </ButtonGroup>
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  ));

  const pendingDescription = pending
    ? pending.scope === "all"
      ? t(pending.intent === "start" ? "bulk.confirmStartAll" : "bulk.confirmCancelAll", { count: totalInView })
      : t(pending.intent === "start" ? "bulk.confirmStart" : "bulk.confirmCancel", { count: pending.ids.length })
    : undefined;

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
        {data.invalidFilter ? <Banner tone="warning">{t("cases.invalidFilter")}</Banner> : null}
        {data.importRun ? (
          <Banner tone={data.importRun.status === "failed" ? "critical" : "info"}>
            {t(data.importRun.status === "failed" ? "import.failed" : "import.running", {
              processed: data.importRun.processed,
              total: data.importRun.total ?? "?",
              error: data.importRun.error,
            })}
          </Banner>
        ) : null}
        {result ? <ActionResultBanner {...result} onDismiss={() => setResult(null)} /> : null}
        <Card padding="0">
          <IndexFilters
            tabs={tabs}
            selected={selectedTab}
            onSelect={(i) => goTo({ status: i === 0 ? null : (TABS[i] ?? null) })}
            canCreateNewView={false}
            queryValue={queryValue}
            queryPlaceholder={t("filter.queryPlaceholder")}
            onQueryChange={setQueryValue}
            onQueryClear={() => {
              setQueryValue("");
              goTo({ q: null });
            }}
            sortOptions={sortOptions}
            sortSelected={sortSelected}
            onSort={([value]) => {
              const [sort, direction] = (value ?? "created desc").split(" ");
              goTo({
                sort: sort === "created" && direction === "desc" ? null : (sort ?? null),
                direction: sort === "created" && direction === "desc" ? null : (direction ?? null),
              });
            }}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => {
              setMinText("");
              setMaxText("");
              setQueryValue("");
              goTo({ period: null, from: null, to: null, minAmount: null, maxAmount: null, q: null });
            }}
            cancelAction={{ onAction: () => undefined, disabled: false, loading: false }}
            mode={mode}
            setMode={setMode}
            loading={loading}
            filteringAccessibilityLabel={t("filter.label")}
          />
          <IndexTable
            resourceName={{ singular: t("cases.resourceName.singular"), plural: t("cases.resourceName.plural") }}
            itemCount={data.cases.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            hasMoreItems={hasMore}
            promotedBulkActions={promotedBulkActions}
            loading={loading}
            emptyState={
              <EmptyState heading={t("cases.empty.heading")} image="/empty-cases.svg">
                <p>
                  {appliedFilters.length > 0 || params.get("q") || params.get("status")
                    ? t("cases.empty.filtered")
                    : t("cases.empty.body")}
                </p>
              </EmptyState>
            }
            headings={[
              { title: t("cases.column.order") },
              { title: t("cases.column.customer") },
              { title: t("cases.column.outstanding"), alignment: "end" },
              { title: t("cases.column.dueDate") },
              { title: t("cases.column.daysOverdue"), alignment: "end" },
              { title: t("cases.column.status") },
              { title: t("cases.column.level") },
              { title: t("cases.column.nextAction") },
              { title: t("cases.column.actions"), hidden: false },
            ]}
            pagination={{
              hasNext: Boolean(data.nextCursor),
              onNext: () => goTo({ cursor: data.nextCursor }),
              hasPrevious: params.has("cursor"),
              onPrevious: () => navigate(-1),
              accessibilityLabels: { previous: t("cases.pagination.previous"), next: t("cases.pagination.next") },
            }}
          >
            {rows}
          </IndexTable>
        </Card>
      </BlockStack>
      {pending ? (
        <ReasonModal
          key={`${pending.intent}-${pending.scope}-${pending.ids.join(",")}`}
          intent={pending.intent}
          description={pendingDescription}
          submitting={fetcher.state !== "idle"}
          serverError={reasonError}
          onSubmit={submitReason}
          onClose={() => setPending(null)}
        />
      ) : null}
    </Page>
  );
}

function NextAction({ status, level, date }: { status: string; level: string | null; date: string | null }) {
  const t = useT();
  const { intl } = useLocale();
  if (status === "waiting_for_approval") return <Text as="span">{t("next.approval")}</Text>;
  if (status === "handed_over") return <Text as="span">{t("next.partner")}</Text>;
  if (status === "failed") return <Text as="span">{t("next.fix")}</Text>;
  if (status === "blocked") return <Text as="span">{t("next.blocked")}</Text>;
  if (status !== "running")
    return (
      <Text as="span" tone="subdued">
        {t("level.none")}
      </Text>
    );
  const step = t(NEXT_STEP[level ?? "none"] ?? "next.handover");
  return <Text as="span">{date ? t("next.on", { step, date: formatDate(date, intl) }) : step}</Text>;
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
