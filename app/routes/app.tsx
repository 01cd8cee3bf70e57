import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { Banner, Button, Page } from "@shopify/polaris";
import polarisDe from "@shopify/polaris/locales/de.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";

import { I18nProvider, useLocale, useT } from "#app/i18n/react";
import { recentBaseRateStatus } from "#app/services/dunning/base-rates.server";
import { formatDate } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, locale, embedded, apiKey, tenant } = await requireShopContext(request);
  return {
    apiKey,
    embedded,
    locale,
    demo: shop.platform === "demo",
    // WooCommerce staff signed in by cookie (from wp-admin or an e-mailed link) can end their session here.
    signOut: !embedded && shop.platform === "woocommerce",
    shop: { name: shop.name, currency: shop.currency, timezone: shop.timezone },
    // Interest is computed only through the last known base rate: the merchant should know (and tell the operator).
    baseRates: await tenant((db) => recentBaseRateStatus(db)),
  };
}

export default function AppLayout() {
  const { apiKey, embedded, locale, demo, signOut, baseRates } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey} i18n={locale === "de" ? polarisDe : polarisEn}>
      <I18nProvider locale={locale}>
        <Navigation embedded={embedded} />
        {demo ? <DemoBanner /> : null}
        {baseRates.current ? null : <BaseRateBanner knownThrough={baseRates.knownThrough} />}
        {signOut ? <SignOut /> : null}
        <Outlet />
      </I18nProvider>
    </AppProvider>
  );
}

function Navigation({ embedded }: { embedded: boolean }) {
  const t = useT();
  if (!embedded) return null;
  return (
    <NavMenu>
      <Link to="/app" rel="home">
        {t("nav.cases")}
      </Link>
      <Link to="/app/payments">{t("nav.payments")}</Link>
      <Link to="/app/reports">{t("nav.reports")}</Link>
      <Link to="/app/settings">{t("nav.settings")}</Link>
    </NavMenu>
  );
}

function SignOut() {
  const t = useT();
  return (
    <div style={{ display: "flex", justifyContent: "flex-end", padding: "var(--p-space-200) var(--p-space-400) 0" }}>
      <Form method="post" action="/woocommerce/signout">
        <Button submit variant="plain">
          {t("nav.signOut")}
        </Button>
      </Form>
    </div>
  );
}

function BaseRateBanner({ knownThrough }: { knownThrough: string | null }) {
  const t = useT();
  const { intl } = useLocale();
  return (
    <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
      <Banner tone="warning" title={t("baseRates.banner.title")}>
        {knownThrough
          ? t("baseRates.banner.through", { date: formatDate(knownThrough, intl) })
          : t("baseRates.banner.unreadable")}
      </Banner>
    </div>
  );
}

function DemoBanner() {
  const t = useT();
  return (
    <div style={{ padding: "var(--p-space-400) var(--p-space-400) 0" }}>
      <Banner tone="info">{t("demo.banner")}</Banner>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  // Shopify's boundary turns auth redirects into the right top-level navigation.
  if (isRouteErrorResponse(error) && error.status !== 503) return boundary.error(error);
  return (
    <Page title="Mahnwerk">
      <Banner tone="critical" title={isRouteErrorResponse(error) ? `${error.status}` : "Error"}>
        {isRouteErrorResponse(error) ? String(error.data) : "Something went wrong."}
      </Banner>
    </Page>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
