import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";

import { CaseStatusBadge } from "#app/components/case-status-badge";
import { useT } from "#app/i18n/react";
import { caseDetail, runCaseAction } from "#app/services/cases/page.server";
import { recordAccess, tabReader } from "#app/services/privacy/access-log.server";
import { withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

import { ActionOutcome, CaseActionModal, pageActions } from "./case-actions";
import { CaseAmounts } from "./case-amounts";
import { CaseTimeline } from "./case-timeline";
import { CaseWarnings } from "./case-warnings";
import { CustomerCard } from "./customer-card";
import { DebtorCard } from "./debtor-card";
import { HandoverUnknown } from "./handover-unknown";
import { PartnerCard } from "./partner-card";
import { RemindersCard } from "./reminders-card";
import { useCaseAction } from "./use-case-action";

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
      claimNumber: String(form.get("claimNumber") ?? ""),
      actor: { type: "staff", id: staff.id, name: staff.name },
    }),
  );
}

/** One case: what is owed, what happened, who the debtor is, and start, cancel or reclassify with a reason. */
export default function CasePage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const [params] = useSearchParams();
  const caseAction = useCaseAction();
  const c = data.case;
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
      {...pageActions(data.allowedActions, t, caseAction.choose)}
    >
      <Layout>
        <ActionOutcome action={caseAction} />
        <CaseWarnings failureReasons={c.failureReasons} blockReasons={c.blockReasons} />
        {c.blockReasons.includes("handover_unknown") ? <HandoverUnknown onResolve={caseAction.choose} /> : null}
        <Layout.Section>
          <BlockStack gap="400">
            <CaseAmounts c={c} timezone={data.timezone} />
            <CaseTimeline events={data.events} currency={c.currency} timezone={data.timezone} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <CustomerCard
              address={data.address}
              orderUrl={data.orderUrl}
              orderPayment={data.orderPayment}
              blockPreviewUrl={
                data.platform === "woocommerce"
                  ? null
                  : withLocale(`/app/preview/order-block/${encodeURIComponent(data.platformOrderId)}`, params)
              }
            />
            <RemindersCard
              caseId={c.id}
              reminders={data.reminders}
              letter={data.letter}
              timezone={data.timezone}
              search={params}
            />
            <DebtorCard debtor={data.debtor} onClassify={caseAction.choose} />
            <PartnerCard
              partnerReference={c.partnerReference}
              partnerSubStatus={c.partnerSubStatus}
              cancellationRequested={c.cancellationRequested}
              partner={data.partner}
            />
          </BlockStack>
        </Layout.Section>
      </Layout>
      <CaseActionModal action={caseAction} />
    </Page>
  );
}
