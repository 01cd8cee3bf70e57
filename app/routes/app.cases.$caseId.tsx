import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
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
  Modal,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { getDb } from "#app/db/db.server";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { caseDetail, runCaseAction } from "#app/services/case-page.server";
import { requireShopContext } from "#app/services/shop-context.server";
import { formatDate, formatMinor } from "#app/utils/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await requireShopContext(request);
  const detail = await caseDetail(await getDb(), shop, params.caseId ?? "");
  if (!detail) throw new Response("Not found", { status: 404 });
  return detail;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop } = await requireShopContext(request);
  const form = await request.formData();
  return runCaseAction(await getDb(), shop, params.caseId ?? "", {
    intent: String(form.get("intent") ?? ""),
    reason: String(form.get("reason") ?? ""),
    actor: { type: "staff", id: "admin" },
  });
}

export default function CasePage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const { intl } = useLocale();
  const [intent, setIntent] = useState<"start" | "cancel" | null>(null);
  const navigation = useNavigation();
  const c = data.case;
  const timeFormat = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "short", timeZone: data.timezone });

  return (
    <Page
      backAction={{ content: t("case.back"), url: "/app" }}
      title={t("case.title", { order: c.orderName })}
      titleMetadata={<Badge tone={c.status === "paid" ? "success" : c.status === "failed" || c.status === "blocked" ? "critical" : "info"}>{t(`status.${c.status}` as MessageKey)}</Badge>}
      primaryAction={data.allowedActions.includes("start") ? { content: t("action.start"), onAction: () => setIntent("start") } : undefined}
      secondaryActions={data.allowedActions.includes("cancel") ? [{ content: t("action.cancel"), destructive: true, onAction: () => setIntent("cancel") }] : []}
    >
      <Layout>
        {result && !result.ok ? (
          <Layout.Section>
            <Banner tone="critical">{result.message}</Banner>
          </Layout.Section>
        ) : null}
        {c.failureReasons.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title={t("case.failureReasons")}>
              <List>
                {c.failureReasons.map((r) => (
                  <List.Item key={r}>{r}</List.Item>
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
                  <Field label={t("case.original")} value={formatMinor(c.originalMinor, c.currency, intl)} />
                  <Field label={t("case.outstanding")} value={formatMinor(c.outstandingMinor, c.currency, intl)} />
                  <Field label={t("case.dueDate")} value={formatDate(c.dueDate, intl)} />
                  <Field label={t("case.level")} value={t((c.dunningLevel ? `level.${c.dunningLevel}` : "level.none") as MessageKey)} />
                  {c.nextActionAt ? <Field label={t("case.nextAction")} value={timeFormat.format(new Date(c.nextActionAt))} /> : null}
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
                  {data.events.map((e) => (
                    <li key={e.seq} style={{ listStyle: "none" }}>
                      <BlockStack gap="050">
                        <InlineStack gap="200" blockAlign="center">
                          <Text as="span" fontWeight="semibold">
                            {t(`event.${e.type}` as MessageKey)}
                          </Text>
                          <Text as="span" tone="subdued">
                            {timeFormat.format(new Date(e.occurredAt))} · {t(`actor.${e.actorType}` as MessageKey)} {e.actorId}
                          </Text>
                        </InlineStack>
                        {e.reason ? <Text as="p">{e.reason}</Text> : null}
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
            {c.partnerReference || c.partnerSubStatus || c.cancellationRequested ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {t("case.section.partner")}
                  </Text>
                  {c.partnerReference ? <Field label={t("case.partnerReference")} value={c.partnerReference} /> : null}
                  {c.partnerSubStatus ? <Field label={t("case.partnerStatus")} value={c.partnerSubStatus} /> : null}
                  {c.cancellationRequested ? <Badge tone="attention">{t("case.cancellationRequested")}</Badge> : null}
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
      <ActionModal intent={intent} onClose={() => setIntent(null)} submitting={navigation.state !== "idle"} />
    </Page>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="050">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value}</Text>
    </BlockStack>
  );
}

function ActionModal({ intent, onClose, submitting }: { intent: "start" | "cancel" | null; onClose: () => void; submitting: boolean }) {
  const t = useT();
  const [reason, setReason] = useState("");
  if (!intent) return null;
  const title = t(intent === "start" ? "action.start" : "action.cancel");
  return (
    <Modal open onClose={onClose} title={title}>
      <Form method="post" onSubmit={() => setTimeout(onClose, 0)}>
        <Modal.Section>
          <input type="hidden" name="intent" value={intent} />
          <TextField
            label={t("action.reason")}
            name="reason"
            value={reason}
            onChange={setReason}
            autoComplete="off"
            helpText={t("action.reasonHelp")}
            maxLength={500}
            requiredIndicator
          />
        </Modal.Section>
        <Modal.Section>
          <InlineStack align="end" gap="200">
            <Button onClick={onClose}>{t("action.close")}</Button>
            <Button variant="primary" tone={intent === "cancel" ? "critical" : undefined} submit disabled={reason.trim() === ""} loading={submitting}>
              {t("action.confirm")}
            </Button>
          </InlineStack>
        </Modal.Section>
      </Form>
    </Modal>
  );
}
