import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineGrid, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";

import { ActionResultBanner } from "#app/components/action-result-banner";
import { Field } from "#app/components/field";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { getBulkRun } from "#app/services/cases/bulk-runs.server";
import { formatDate, formatMinor, withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop, tenant } = await requireShopContext(request);
  const run = await tenant((db) => getBulkRun(db, shop.id, params.runId ?? ""));
  if (!run) throw new Response("Not found", { status: 404 });
  const filter = run.filter as Record<string, unknown>;
  return {
    timezone: shop.timezone,
    currency: shop.currency,
    run: {
      id: run.id,
      action: run.action,
      status: run.status,
      reason: run.reason,
      startedBy: { type: run.actorType, id: run.actorId, name: run.actorName },
      total: run.total ?? 0,
      succeeded: run.succeeded,
      failures: run.failures,
      createdAt: run.createdAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      filter: {
        status: typeof filter.status === "string" ? filter.status : null,
        q: typeof filter.q === "string" ? filter.q : null,
        from: typeof filter.from === "string" ? filter.from : null,
        to: typeof filter.to === "string" ? filter.to : null,
        minAmount: typeof filter.minAmount === "number" ? filter.minAmount : null,
        maxAmount: typeof filter.maxAmount === "number" ? filter.maxAmount : null,
      },
    },
  };
}

const POLL_MS = 1_000;

export default function BulkRunPage() {
  const { run, timezone, currency } = useLoaderData<typeof loader>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const revalidator = useRevalidator();
  const finished = run.status === "done" || run.status === "failed";
  const handled = run.succeeded + run.failures.length;

  // Poll while the job works; stop once it is done.
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [finished, revalidator]);

  const time = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  const f = run.filter;
  const filterParts = [
    f.status ? t(`status.${f.status}` as MessageKey) : t("cases.tab.all"),
    f.q ? `„${f.q}“` : null,
    f.from || f.to
      ? t("filter.period.range", {
          from: f.from ? formatDate(f.from, intl) : "…",
          to: f.to ? formatDate(f.to, intl) : "…",
        })
      : null,
    f.minAmount !== null || f.maxAmount !== null
      ? t("filter.amount.applied", {
          from: f.minAmount !== null ? formatMinor(f.minAmount, currency, intl) : "…",
          to: f.maxAmount !== null ? formatMinor(f.maxAmount, currency, intl) : "…",
        })
      : null,
  ].filter(Boolean);

  return (
    <Page
      backAction={{ content: t("case.back"), url: withLocale("/app", params) }}
      title={t(run.action === "start" ? "bulk.title.start" : "bulk.title.cancel")}
      titleMetadata={
        <Badge tone={run.status === "done" ? "success" : run.status === "failed" ? "critical" : "info"}>
          {t(`bulk.status.${run.status}` as MessageKey)}
        </Badge>
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {finished ? (
              <ActionResultBanner action={run.action} succeeded={run.succeeded} failures={run.failures} />
            ) : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("bulk.progress")}
                </Text>
                <ProgressBar
                  animated={false}
                  progress={run.total > 0 ? Math.round((handled / run.total) * 100) : finished ? 100 : 0}
                  tone={run.failures.length > 0 ? "critical" : "success"}
                  ariaLabelledBy="bulk-progress-label"
                />
                <Text as="p" id="bulk-progress-label">
                  {t("bulk.progressText", {
                    handled,
                    total: run.total,
                    succeeded: run.succeeded,
                    failed: run.failures.length,
                  })}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                <Field label={t("bulk.filter")} value={filterParts.join(" · ")} />
                <Field label={t("action.reason")} value={run.reason} />
                <Field label={t("bulk.startedAt")} value={time.format(new Date(run.createdAt))} />
                <Field
                  label={t("bulk.finishedAt")}
                  value={run.finishedAt ? time.format(new Date(run.finishedAt)) : t("level.none")}
                />
                <Field
                  label={t("bulk.startedBy")}
                  value={`${t(`actor.${run.startedBy.type}` as MessageKey)}: ${run.startedBy.name ? `${run.startedBy.name} (${run.startedBy.id})` : run.startedBy.id}`}
                />
              </InlineGrid>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
