import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  List,
  Page,
  Text,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useFailureText } from "#app/components/action-result-banner";
import { CaseStatusBadge } from "#app/components/case-status-badge";
import { Field } from "#app/components/field";
import { ReasonModal, type CaseIntent } from "#app/components/reason-modal";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { recordAccess, tabReader } from "#app/services/privacy/access-log.server";
import { caseDetail, runCaseAction } from "#app/services/cases/page.server";
import { requireShopContext } from "#app/web/shop-context.server";
import { formatDate, formatMinor, withLocale } from "#app/utils/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const detail = await tenant(async (db) => {
    const found = await caseDetail(db, shop, params.caseId ?? "");
    if (found)
      await recordAccess(db, { shopId: shop.id, actor: tabReader(staff), what: "case", caseId: found.case.id });
    return found;
  });
  if (!detail) throw new Response("Not found", { status: 404 });
  return detail;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const form = await request.formData();
  return tenant((db) =>
    runCaseAction(db, shop, params.caseId ?? "", {
      intent: String(form.get("intent") ?? ""),
      reason: String(form.get("reason") ?? ""),
      actor: { type: "staff", id: staff.id, name: staff.name },
    }),
  );
}

export default function CasePage() {
  const data = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const why = useFailureText();
  const [intent, setIntent] = useState<CaseIntent | null>(null);
  const c = data.case;
  const timeFormat = new Intl.DateTimeFormat(intl, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: data.timezone,
  });
  const money = (minor: number) => formatMinor(minor, c.currency, intl);
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setIntent(null);
  }, [fetcher.state, fetcher.data]);

  return (
    <Page
      backAction={{ content: t("case.back"), url: withLocale("/app", params) }}
      title={t("case.title", { order: c.orderName })}
      subtitle={c.kind === "chargeback" ? t("kind.chargeback") : undefined}
      titleMetadata={
        <CaseStatusBadge
          status={c.status}
          partnerSubStatus={c.partnerSubStatus}
          cancellationRequested={c.cancellationRequested}
        />
      }
      primaryAction={
        data.allowedActions.includes("start")
          ? { content: t("action.start"), onAction: () => setIntent("start") }
          : undefined
      }
      secondaryActions={
        data.allowedActions.includes("cancel")
          ? [{ content: t("action.cancel"), destructive: true, onAction: () => setIntent("cancel") }]
          : []
      }
    >
      <Layout>
        {result && result.ok ? (
          <Layout.Section>
            <Banner tone="success">{t("action.done", { status: t(`status.${result.status}` as MessageKey) })}</Banner>
          </Layout.Section>
        ) : null}
        {result && !result.ok && !intent ? (
          <Layout.Section>
            <Banner tone="critical">{why({ code: result.code, message: result.message })}</Banner>
          </Layout.Section>
        ) : null}
        {c.failureReasons.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("case.failureReasons")}>
              <List>
                {c.failureReasons.map((r) => (
                  <List.Item key={r}>{t(`check.${r}` as MessageKey)}</List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        {c.blockReasons.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("case.blockReasons")}>
              <List>
                {c.blockReasons.map((r) => (
                  <List.Item key={r}>
                    {t(`block.${r}` as MessageKey) === `block.${r}` ? r : t(`block.${r}` as MessageKey)}
                  </List.Item>
                ))}
              </List>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("case.section.amounts")}
                </Text>
                <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                  <Field label={t("case.original")} value={money(c.originalMinor)} />
                  <Field label={t("case.outstanding")} value={money(c.outstandingMinor)} />
                  {c.feesMinor > 0 ? <Field label={t("case.fees")} value={money(c.feesMinor)} /> : null}
                  {c.interest ? (
                    <Field
                      label={t("case.interest.period", {
                        from: formatDate(c.interest.from, intl),
                        through: formatDate(c.interest.through, intl),
                        points: c.interest.marginBp / 100,
                      })}
                      value={
                        c.interest.complete || c.interestMinor > 0
                          ? `${money(c.interestMinor)}${c.interest.complete ? "" : ` ${t("case.interest.more")}`}`
                          : t("case.interest.pending")
                      }
                    />
                  ) : null}
                  {c.flatFeeMinor > 0 ? <Field label={t("case.flatFee")} value={money(c.flatFeeMinor)} /> : null}
                  {c.totalMinor !== c.outstandingMinor ? (
                    <Field label={t("case.total")} value={money(c.totalMinor)} />
                  ) : null}
                  {c.defaultFrom ? (
                    <Field label={t("case.defaultFrom")} value={formatDate(c.defaultFrom, intl)} />
                  ) : null}
                  {c.paymentDeadline ? (
                    <Field label={t("case.paymentDeadline")} value={formatDate(c.paymentDeadline, intl)} />
                  ) : null}
                  {c.overpaymentMinor > 0 ? (
                    <Field label={t("case.overpayment")} value={money(c.overpaymentMinor)} />
                  ) : null}
                  <Field label={t("case.dueDate")} value={formatDate(c.dueDate, intl)} />
                  <Field
                    label={t("case.level")}
                    value={t((c.dunningLevel ? `level.${c.dunningLevel}` : "level.none") as MessageKey)}
                  />
                  {c.nextActionAt ? (
                    <Field label={t("case.nextAction")} value={timeFormat.format(new Date(c.nextActionAt))} />
                  ) : null}
                </InlineGrid>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("case.section.timeline")}
                </Text>
                {data.events.length === 0 ? <Text as="p">{t("case.noEvents")}</Text> : null}
                <BlockStack gap="300" as="ol">
                  {[...data.events].reverse().map((e) => (
                    <li key={e.seq} style={{ listStyle: "none" }}>
                      <BlockStack gap="050">
                        <InlineStack gap="200" blockAlign="center">
                          <Text as="span" fontWeight="semibold">
                            {t(`event.${e.type}` as MessageKey)}
                            {e.detail.level ? `: ${t(`level.${e.detail.level}` as MessageKey)}` : ""}
                            {e.detail.subStatus ? `: ${t(`partner.${e.detail.subStatus}` as MessageKey)}` : ""}
                            {e.detail.amountMinor !== null ? `: ${money(e.detail.amountMinor)}` : ""}
                          </Text>
                          {e.detail.side ? (
                            <Badge>{t(e.detail.side === "partner" ? "payment.partner" : "payment.shop")}</Badge>
                          ) : null}
                          {e.detail.automatic ? <Badge>{t("case.automatic")}</Badge> : null}
                        </InlineStack>
                        <Text as="span" tone="subdued">
                          <time dateTime={e.occurredAt}>{timeFormat.format(new Date(e.occurredAt))}</time> ·{" "}
                          {t(`actor.${e.actorType}` as MessageKey)}:{" "}
                          {e.actorName ? `${e.actorName} (${e.actorId})` : e.actorId}
                        </Text>
                        {e.reason ? <Text as="p">{t("case.reasonLabel", { reason: e.reason })}</Text> : null}
                        {e.detail.reasons.length > 0 ? (
                          <Text as="p" tone="subdued">
                            {e.detail.reasons
                              .map((r) =>
                                t(`check.${r}` as MessageKey) === `check.${r}` ? r : t(`check.${r}` as MessageKey),
                              )
                              .join(", ")}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </li>
                  ))}
                </BlockStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("case.section.customer")}
                </Text>
                {data.address.map((line) => (
                  <Text as="p" key={line}>
                    {line}
                  </Text>
                ))}
                {data.orderUrl ? (
                  <Link url={data.orderUrl} target="_top">
                    {t("case.openOrder")}
                  </Link>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("case.section.reminders")}
                </Text>
                {data.reminders.length === 0 ? (
                  <Text as="p" tone="subdued">
                    {t("case.noReminders")}
                  </Text>
                ) : (
                  <List>
                    {data.reminders.map((r) => (
                      <List.Item key={r.seq}>
                        {t(`level.${r.level}` as MessageKey)} · {timeFormat.format(new Date(r.occurredAt))}
                      </List.Item>
                    ))}
                  </List>
                )}
                {data.letter.available ? (
                  <Link
                    url={withLocale(`/app/cases/${c.id}/letter.pdf`, params)}
                    target="_blank"
                    accessibilityLabel={t("case.letter.help", { level: t(`level.${data.letter.level}` as MessageKey) })}
                  >
                    {t("case.letter")}
                  </Link>
                ) : (
                  <Text as="p" tone="subdued">
                    {t("case.letter.needsAddress")}
                  </Text>
                )}
                <Link url={withLocale(`/app/access-log?case=${c.id}`, params)}>{t("case.accessLog")}</Link>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("case.section.debtor")}
                </Text>
                <InlineStack gap="200" blockAlign="center">
                  <Badge tone={data.debtor.kind === "business" ? "info" : undefined}>
                    {t(`debtor.kind.${data.debtor.kind}`)}
                  </Badge>
                </InlineStack>
                <Text as="p">{t(`debtor.basis.${data.debtor.basis}`, { vatId: data.debtor.vatId ?? "" })}</Text>
                <Text as="p" tone="subdued">
                  {t(`debtor.effect.${data.debtor.kind}`)}
                </Text>
                {data.debtor.canClassify ? (
                  <InlineStack>
                    <Button
                      onClick={() =>
                        setIntent(data.debtor.kind === "business" ? "classify_consumer" : "classify_business")
                      }
                    >
                      {t(data.debtor.kind === "business" ? "action.classify_consumer" : "action.classify_business")}
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            {c.partnerReference || c.partnerSubStatus || c.cancellationRequested ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("case.section.partner")}
                  </Text>
                  {c.partnerReference ? <Field label={t("case.partnerReference")} value={c.partnerReference} /> : null}
                  {c.partnerSubStatus ? (
                    <Field label={t("case.partnerStatus")} value={t(`partner.${c.partnerSubStatus}` as MessageKey)} />
                  ) : null}
                  {c.cancellationRequested ? <Badge tone="attention">{t("case.cancellationRequested")}</Badge> : null}
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
      {intent ? (
        <ReasonModal
          intent={intent}
          submitting={fetcher.state !== "idle"}
          serverError={result && !result.ok ? why({ code: result.code, message: result.message }) : null}
          onClose={() => setIntent(null)}
          onSubmit={(reason) => fetcher.submit({ intent, reason }, { method: "post" })}
        />
      ) : null}
    </Page>
  );
}
