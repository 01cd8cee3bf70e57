import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Page, Text } from "@shopify/polaris";

import { StandalonePage } from "#app/components/standalone-page";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { findDemoOrder, payDemoOrder } from "#app/demo/payment-page.server";
import { intlLocale, pickLocale } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { formatMinor } from "#app/utils/format";

/** The demo's stand-in for a platform's payment page, where a demo reminder's pay-now link leads. Demo mode only. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  if (!getEnv().demoMode) throw new Response("Not Found", { status: 404 });
  const found = await findDemoOrder(await getDb(), params.orderId ?? "");
  if (!found) throw new Response("Not Found", { status: 404 });
  const url = new URL(request.url);
  const locale = pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  const { shop, order } = found;
  return {
    locale,
    shopName: shop.name,
    orderName: order.name,
    due:
      order.outstandingMinor > 0 && !order.cancelledAt
        ? formatMinor(order.outstandingMinor, order.currency, intlLocale(locale))
        : null,
  };
}

export async function action({ params }: ActionFunctionArgs) {
  if (!getEnv().demoMode) throw new Response("Not Found", { status: 404 });
  const payment = await payDemoOrder(await getDb(), params.orderId ?? "", new Date());
  if (payment.outcome === "not_found") throw new Response("Not Found", { status: 404 });
  return { outcome: payment.outcome };
}

export default function DemoPaymentPage() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <StandalonePage locale={locale}>
      <Payment />
    </StandalonePage>
  );
}

function Payment() {
  const t = useT();
  const { shopName, orderName, due } = useLoaderData<typeof loader>();
  const paid = useActionData<typeof action>();
  return (
    <Page title={t("demo.pay.title", { shop: shopName, order: orderName })} narrowWidth>
      <BlockStack gap="400">
        <Banner tone="info">{t("demo.pay.notice")}</Banner>
        {paid ? (
          <Banner tone="success">{t("demo.pay.done")}</Banner>
        ) : due ? (
          <Card>
            <BlockStack gap="300">
              <Text as="p">{t("demo.pay.due", { amount: due })}</Text>
              <Form method="post">
                <Button submit variant="primary">
                  {t("demo.pay.submit", { amount: due })}
                </Button>
              </Form>
            </BlockStack>
          </Card>
        ) : (
          <Banner tone="success">{t("demo.pay.nothing_due")}</Banner>
        )}
      </BlockStack>
    </Page>
  );
}
