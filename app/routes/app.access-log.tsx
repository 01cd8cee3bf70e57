import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Card, DataTable, EmptyState, Link, Page, Text } from "@shopify/polaris";

import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { accessEntryToJson, listAccess, recordAccess, tabReader } from "#app/services/privacy/access-log.server";
import { withLocale } from "#app/utils/format";
import { isUuid } from "#app/utils/uuid";
import { requireShopContext } from "#app/web/shop-context.server";

/** Who opened which case, letter or export; opening this page is recorded as well. `?case=` narrows to one case. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const requested = new URL(request.url).searchParams.get("case");
  if (requested !== null && !isUuid(requested)) throw new Response("Not found", { status: 404 });
  const entries = await tenant(async (db) => {
    const found = await listAccess(db, shop.id, { caseId: requested });
    await recordAccess(db, { shopId: shop.id, actor: tabReader(staff), what: "access_log", caseId: requested });
    return found;
  });
  return { timezone: shop.timezone, caseId: requested, entries: entries.map(accessEntryToJson) };
}

export default function AccessLogPage() {
  const { timezone, caseId, entries } = useLoaderData<typeof loader>();
  const t = useT();
  const { intl } = useLocale();
  const [params] = useSearchParams();
  const time = new Intl.DateTimeFormat(intl, { dateStyle: "medium", timeStyle: "medium", timeZone: timezone });
  const rows = entries.map((e) => [
    time.format(new Date(e.at)),
    e.actor.name ? `${e.actor.name} (${e.actor.id})` : e.actor.id,
    t(`accessLog.channel.${e.channel}` as MessageKey),
    t(`accessLog.what.${e.what}` as MessageKey),
    e.caseId ? (
      <Link key={e.id} url={withLocale(`/app/cases/${e.caseId}`, params)}>
        {t("accessLog.openCase")}
      </Link>
    ) : (
      ""
    ),
  ]);
  return (
    <Page
      title={t("accessLog.title")}
      subtitle={t(caseId ? "accessLog.subtitle.case" : "accessLog.subtitle")}
      backAction={{
        content: t("case.back"),
        url: withLocale(caseId ? `/app/cases/${caseId}` : "/app/settings", params),
      }}
    >
      <Card padding="0">
        {rows.length === 0 ? (
          <EmptyState heading={t("accessLog.empty")} image="">
            <Text as="p">{t("accessLog.retention")}</Text>
          </EmptyState>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={[
              t("accessLog.at"),
              t("accessLog.who"),
              t("accessLog.channel"),
              t("accessLog.what"),
              t("accessLog.case"),
            ]}
            rows={rows}
            footerContent={t("accessLog.retention")}
          />
        )}
      </Card>
    </Page>
  );
}
