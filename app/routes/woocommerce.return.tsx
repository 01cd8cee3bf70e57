import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, Page, Text } from "@shopify/polaris";

import { StandalonePage } from "#app/components/standalone-page";
import { getDb } from "#app/db/db.server";
import { pickLocale } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { findConnection } from "#app/services/woocommerce/connections.server";

/**
 * Where WooCommerce sends the merchant after the authorize page (?success=1|0&user_id=<connection id>). The keys
 * arrived (or not) through the callback; this page only reports the state and signs nobody in: the link can be
 * opened by anyone who knows the connection id. Staff sign in from wp-admin through the plugin.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const locale = pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  const connection = await findConnection(await getDb(), url.searchParams.get("user_id") ?? "");
  const state =
    url.searchParams.get("success") === "0"
      ? "denied"
      : !connection
        ? "unknown"
        : connection.status === "connected"
          ? "connected"
          : connection.status === "pending"
            ? "pending"
            : "unknown";
  return { locale, state, storeUrl: state === "connected" ? (connection?.storeUrl ?? "") : "" } as const;
}

export default function WooReturnPage() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <StandalonePage locale={locale}>
      <ReturnState />
    </StandalonePage>
  );
}

function ReturnState() {
  const t = useT();
  const { state, storeUrl } = useLoaderData<typeof loader>();
  return (
    <Page title={t("woo.return.title")} narrowWidth>
      <BlockStack gap="400">
        {state === "connected" ? (
          <>
            <Banner tone="success">{t("woo.return.success", { store: storeUrl })}</Banner>
            <Card>
              <Text as="p">{t("woo.return.plugin")}</Text>
            </Card>
          </>
        ) : null}
        {state === "pending" ? <Banner tone="info">{t("woo.return.pending")}</Banner> : null}
        {state === "denied" ? <Banner tone="warning">{t("woo.return.denied")}</Banner> : null}
        {state === "unknown" ? <Banner tone="critical">{t("woo.error.unknown_connection")}</Banner> : null}
      </BlockStack>
    </Page>
  );
}
