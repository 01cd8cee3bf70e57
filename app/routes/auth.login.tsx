import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, Button, Card, FormLayout, Page, TextField } from "@shopify/polaris";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import { useState } from "react";

import { StandalonePage } from "#app/components/standalone-page";
import { type Locale, type MessageKey, pickLocale } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { getShopify } from "#app/shopify.server";

/**
 * The Shopify login path (authPathPrefix + "/login"): outside the admin, a shop owner types the shop's domain and
 * the library starts the install/auth flow. It must not fall through to auth.$, which only completes an auth flow.
 */
type LoginResult = { locale: Locale; error: MessageKey | null };

async function login(request: Request): Promise<LoginResult> {
  const shopify = getShopify();
  if (!shopify) throw new Response("Not found", { status: 404 });
  const url = new URL(request.url);
  const locale = pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  // Throws the redirect into the auth flow when the domain is valid; otherwise says what is wrong with it.
  const errors = await shopify.login(request);
  const error = errors.shop === LoginErrorType.InvalidShop ? "shopifyLogin.invalidShop" : null;
  return { locale, error };
}

export const loader = ({ request }: LoaderFunctionArgs) => login(request);
export const action = ({ request }: ActionFunctionArgs) => login(request);

export default function ShopifyLoginPage() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <StandalonePage locale={locale}>
      <LoginForm />
    </StandalonePage>
  );
}

function LoginForm() {
  const t = useT();
  const loaded = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const error = (posted ?? loaded).error;
  const busy = useNavigation().state !== "idle";
  const [shop, setShop] = useState("");
  return (
    <Page title={t("shopifyLogin.title")} narrowWidth>
      <Card>
        <Form method="post">
          <FormLayout>
            {error ? <Banner tone="critical">{t(error)}</Banner> : null}
            <TextField
              label={t("shopifyLogin.shop")}
              helpText={t("shopifyLogin.shopHelp")}
              name="shop"
              value={shop}
              onChange={setShop}
              autoComplete="on"
              error={error ? t(error) : undefined}
            />
            <Button submit variant="primary" loading={busy}>
              {t("shopifyLogin.submit")}
            </Button>
          </FormLayout>
        </Form>
      </Card>
    </Page>
  );
}
