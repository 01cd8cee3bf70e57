import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { Badge, Card, EmptyState, IndexTable, Page, Tabs, Text, type BadgeProps } from "@shopify/polaris";
import { useLocale, useT } from "#app/i18n/react";
import type { MessageKey } from "#app/i18n/i18n";
import { getDb } from "#app/db/db.server";
import { CASE_STATUSES } from "#app/domain/case/status";
import { caseListQuerySchema, countCasesByStatus, listCases } from "#app/services/case-list.server";
import { requireShopContext } from "#app/services/shop-context.server";
import { daysOverdue, formatDate, formatMinor } from "#app/utils/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await requireShopContext(request);
  const url = new URL(request.url);
  const parsed = caseListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw new Response("Invalid filter", { status: 400 });
  const db = await getDb();
  const { status: _status, cursor: _cursor, ...countQuery } = parsed.data;
  const [page, counts] = await Promise.all([
    listCases(db, shop.id, parsed.data),
    countCasesByStatus(db, shop.id, countQuery),
  ]);
  return {
    timezone: shop.timezone,
    today: new Date().toISOString(),
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
    })),
  };
}

const TABS = ["all", ...CASE_STATUSES] as const;

const TONE: Record<string, BadgeProps["tone"]> = {
  waiting_for_approval: "attention",
  running: "info",
  handed_over: "warning",
  blocked: "critical",
  paid: "success",
  failed: "critical",
  cancelled: undefined,
  closed: undefined,
};

export default function CasesIndex() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const localeSuffix = params.get("locale") ? `?locale=${params.get("locale")}` : "";
  const csvParams = new URLSearchParams(params);
  csvParams.delete("cursor");
  const selected = Math.max(0, TABS.indexOf((params.get("status") ?? "all") as (typeof TABS)[number]));

  const tabs = TABS.map((id) => ({
    id: `tab-${id}`,
    content: id === "all" ? t("cases.tab.all") : t(`status.${id}` as MessageKey),
    badge: String(data.counts[id]),
    accessibilityLabel: id === "all" ? t("cases.tab.all") : t(`status.${id}` as MessageKey),
  }));

  const goTo = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    navigate(`?${next.toString()}`);
  };

  const rows = data.cases.map((c, index) => (
    <IndexTable.Row id={c.id} key={c.id} position={index} onClick={() => navigate(`/app/cases/${c.id}${localeSuffix}`)}>
      <IndexTable.Cell>
        <Text as="span" fontWeight="semibold">
          {c.orderName}
        </Text>
        {c.kind === "chargeback" ? (
          <>
            {" "}
            <Badge tone="magic">{t("kind.chargeback")}</Badge>
          </>
        ) : null}
      </IndexTable.Cell>
      <IndexTable.Cell>{c.customer}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatMinor(c.outstandingMinor, c.currency, intl)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{formatDate(c.dueDate, intl)}</IndexTable.Cell>
      <IndexTable.Cell>{daysOverdue(c.dueDate, data.today, data.timezone)}</IndexTable.Cell>
      <IndexTable.Cell>
        <Badge tone={TONE[c.status]}>{t(`status.${c.status}` as MessageKey)}</Badge>
      </IndexTable.Cell>
      <IndexTable.Cell>{t((c.dunningLevel ? `level.${c.dunningLevel}` : "level.none") as MessageKey)}</IndexTable.Cell>
    </IndexTable.Row>
  ));

  return (
    <Page
      title={t("cases.title")}
      subtitle={t("cases.subtitle")}
      fullWidth
      secondaryActions={[{ content: t("cases.download"), url: `/app/cases.csv?${csvParams.toString()}`, external: true }]}
    >
      <Card padding="0">
        <Tabs
          tabs={tabs}
          selected={selected}
          onSelect={(i) => goTo({ status: i === 0 ? null : (TABS[i] ?? null), cursor: null })}
        />
        <IndexTable
          resourceName={{ singular: t("cases.resourceName.singular"), plural: t("cases.resourceName.plural") }}
          itemCount={data.cases.length}
          selectable={false}
          emptyState={
            <EmptyState heading={t("cases.empty.heading")} image="/empty-cases.svg">
              <p>{t("cases.empty.body")}</p>
            </EmptyState>
          }
          headings={[
            { title: t("cases.column.order") },
            { title: t("cases.column.customer") },
            { title: t("cases.column.outstanding"), alignment: "end" },
            { title: t("cases.column.dueDate") },
            { title: t("cases.column.daysOverdue") },
            { title: t("cases.column.status") },
            { title: t("cases.column.level") },
          ]}
          pagination={{
            hasNext: Boolean(data.nextCursor),
            onNext: () => goTo({ cursor: data.nextCursor }),
            hasPrevious: params.has("cursor"),
            onPrevious: () => navigate(-1),
          }}
        >
          {rows}
        </IndexTable>
      </Card>
    </Page>
  );
}
