import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { CASE_STATUSES } from "#app/domain/case/status";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { buildReport } from "#app/services/cases/reports.server";
import { formatMinor, withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, tenant } = await requireShopContext(request);
  return { report: await tenant((db) => buildReport(db, shop, new Date())) };
}

/** Polaris' data-visualisation palette (SVG presentation attributes cannot read CSS variables). */
const COLORS = { primary: "#4B67D6", secondary: "#33A37E", tertiary: "#C27C1A" };
const CHART_HEIGHT = 260;

export default function ReportsPage() {
  const { report } = useLoaderData<typeof loader>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const money = (minor: number) => formatMinor(minor, report.currency, intl);
  const monthLabel = (month: string) =>
    new Intl.DateTimeFormat(intl, { month: "short", year: "2-digit", timeZone: "UTC" }).format(
      new Date(`${month}-01T00:00:00Z`),
    );
  const percent = new Intl.NumberFormat(intl, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const days = new Intl.NumberFormat(intl, { maximumFractionDigits: 1 });
  const months = report.months.map((m) => ({ ...m, label: monthLabel(m.month) }));
  const statuses = CASE_STATUSES.map((s) => ({
    status: s,
    label: t(`status.${s}` as MessageKey),
    count: report.byStatus[s],
  }));

  return (
    <Page
      title={t("reports.title")}
      subtitle={t("reports.subtitle", { currency: report.currency })}
      backAction={{ content: t("case.back"), url: withLocale("/app", params) }}
    >
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Kpi label={t("reports.open")} value={money(report.openMinor)} help={t("reports.open.help")} />
            <Kpi
              label={t("reports.recovered")}
              value={money(report.recoveredMinor)}
              help={t("reports.recovered.split", {
                link: money(report.recoveredByChannel.link),
                transfer: money(report.recoveredByChannel.transfer),
                partner: money(report.recoveredByChannel.partner),
              })}
            />
            <Kpi
              label={t("reports.rate")}
              value={report.recoveryRateBp === null ? t("level.none") : percent.format(report.recoveryRateBp / 10_000)}
              help={t("reports.rate.help")}
            />
            <Kpi
              label={t("reports.days")}
              value={
                report.averageDaysToPayment === null
                  ? t("level.none")
                  : t("reports.days.value", { days: days.format(report.averageDaysToPayment) })
              }
              help={t("reports.days.help", { count: report.paidCases })}
            />
            {report.checkoutsSteered === null ? null : (
              <Kpi
                label={t("reports.steered")}
                value={String(report.checkoutsSteered)}
                help={t("reports.steered.help")}
              />
            )}
          </InlineGrid>
        </Layout.Section>

        <Layout.Section>
          <ChartCard
            title={t("reports.recoveredByMonth")}
            chart={
              <BarChart data={months} accessibilityLayer margin={{ left: 16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="label" />
                <YAxis tickFormatter={(v: number) => money(v)} width={90} />
                <Tooltip formatter={(v) => money(Number(v))} />
                <Legend />
                <Bar
                  dataKey="recoveredShopMinor"
                  name={t("reports.inHouse")}
                  stackId="r"
                  fill={COLORS.primary}
                  isAnimationActive={false}
                />
                <Bar
                  dataKey="recoveredPartnerMinor"
                  name={t("reports.byPartner")}
                  stackId="r"
                  fill={COLORS.secondary}
                  isAnimationActive={false}
                />
              </BarChart>
            }
            table={
              <DataTable
                columnContentTypes={["text", "numeric", "numeric"]}
                headings={[t("reports.month"), t("reports.inHouse"), t("reports.byPartner")]}
                rows={months.map((m) => [m.label, money(m.recoveredShopMinor), money(m.recoveredPartnerMinor)])}
                totals={["", money(report.recoveredShopMinor), money(report.recoveredPartnerMinor)]}
                showTotalsInFooter
                totalsName={{ singular: t("reports.total"), plural: t("reports.total") }}
              />
            }
          />
        </Layout.Section>

        <Layout.Section>
          <ChartCard
            title={t("reports.newByMonth")}
            chart={
              <BarChart data={months} accessibilityLayer>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="label" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="newCases" name={t("reports.newCases")} fill={COLORS.tertiary} isAnimationActive={false} />
              </BarChart>
            }
            table={
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={[t("reports.month"), t("reports.newCases")]}
                rows={months.map((m) => [m.label, String(m.newCases)])}
              />
            }
          />
        </Layout.Section>

        <Layout.Section>
          <ChartCard
            title={t("reports.byStatus")}
            chart={
              <BarChart data={statuses} layout="vertical" accessibilityLayer margin={{ left: 24 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="label" width={150} />
                <Tooltip />
                <Bar dataKey="count" name={t("reports.cases")} fill={COLORS.primary} isAnimationActive={false} />
              </BarChart>
            }
            table={
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={[t("cases.column.status"), t("reports.cases")]}
                rows={statuses.map((s) => [s.label, String(s.count)])}
              />
            }
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Kpi({ label, value, help }: { label: string; value: string; help: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h2" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** A chart with its numbers as a table beside it: the table is what screen readers and keyboard users read. */
function ChartCard({ title, chart, table }: { title: string; chart: React.ReactElement; table: React.ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <InlineGrid columns={{ xs: 1, lg: 2 }} gap="400">
          {/* Fixed height: the chart draws after hydration without moving the page. */}
          <div style={{ height: CHART_HEIGHT, minWidth: 0 }} aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              {chart}
            </ResponsiveContainer>
          </div>
          <div>{table}</div>
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
