import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, Layout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";

import { StandalonePage } from "#app/components/standalone-page";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { type MessageKey, pickLocale } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { wooImportJob } from "#app/jobs/woocommerce.server";
import {
  completeConnection,
  connectionOfShop,
  createPendingConnection,
  disconnectConnection,
  normalizeStoreUrl,
  wooAuthorizeUrl,
  wooSecretsKey,
} from "#app/services/woocommerce/connections.server";
import { hasStaffCookie, shopOfStaffSession } from "#app/services/woocommerce/staff.server";
import { clientAddress } from "#app/utils/client-address.server";
import { singleton } from "#app/utils/singleton.server";
import { RateLimiter } from "#app/web/rate-limit.server";

/** Standalone page: connect a WooCommerce store (authorize flow or keys by hand), or disconnect it when signed in. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const db = await getDb();
  const shop = hasStaffCookie(request) ? await shopOfStaffSession(db, request, new Date()) : null;
  const connection = shop ? await connectionOfShop(db, shop.id) : null;
  return {
    locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language")),
    encryptionReady: wooSecretsKey() !== null,
    httpsReady: getEnv().appUrl.startsWith("https://"),
    connected: connection ? { storeUrl: connection.storeUrl } : null,
  };
}

const formSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("connect"), storeUrl: z.string().max(500) }),
  z.object({
    intent: z.literal("manual"),
    storeUrl: z.string().max(500),
    consumerKey: z.string().trim().max(200),
    consumerSecret: z.string().trim().max(200),
  }),
  z.object({ intent: z.literal("disconnect") }),
]);

type ActionResult = { error: MessageKey } | { done: MessageKey; values?: Record<string, string | number> };

/**
 * The form is public and each attempt stores a row and (by hand) calls the store: per client address a few dozen an
 * hour (clientAddress: the socket's peer, or X-Forwarded-For as far as TRUST_PROXY hops wrote it), and a ceiling for
 * everyone together.
 */
const connectLimiters = () =>
  singleton("woo-connect-limiters", () => ({
    client: new RateLimiter({ capacity: 30, refillPerSecond: 30 / 3600 }),
    all: new RateLimiter({ capacity: 600, refillPerSecond: 600 / 3600 }),
  }));

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: "woo.error.invalid_url" };
  const key = wooSecretsKey();
  if (!key) return { error: "woo.connect.noEncryptionKey" };
  const db = await getDb();
  const now = new Date();
  const form = parsed.data;

  if (form.intent === "disconnect") {
    const shop = hasStaffCookie(request) ? await shopOfStaffSession(db, request, now) : null;
    const connection = shop ? await connectionOfShop(db, shop.id) : null;
    if (!connection) throw new Response("Not signed in to a connected store", { status: 403 });
    const result = await disconnectConnection(db, connection.id, { key, now });
    return result.webhooksLeft.length > 0
      ? { done: "woo.connect.webhooksLeft", values: { count: result.webhooksLeft.length } }
      : { done: "woo.connect.disconnected" };
  }

  const client = clientAddress(request, context);
  const limiters = connectLimiters();
  const limit = limiters.client.take(client, now.getTime());
  const overall = limit.ok ? limiters.all.take("all", now.getTime()) : limit;
  if (!overall.ok)
    return new Response("Too many connection attempts; please try again later.", {
      status: 429,
      headers: { "Retry-After": String(overall.retryAfterSeconds) },
    });
  const storeUrl = normalizeStoreUrl(form.storeUrl);
  if (!storeUrl.ok) return { error: `woo.error.${storeUrl.error.code}` };
  const appUrl = getEnv().appUrl;
  const pending = await createPendingConnection(db, storeUrl.value, key);
  if (form.intent === "connect") return redirect(wooAuthorizeUrl(storeUrl.value, pending.id, appUrl));

  // Keys typed in by hand take the same completion path as the key callback.
  const result = await completeConnection(
    db,
    pending.id,
    { consumerKey: form.consumerKey, consumerSecret: form.consumerSecret },
    {
      key,
      now,
      appUrl,
      queueImport: (importId) => context.jobs.send(wooImportJob, { importId }, { singletonKey: importId }),
    },
  );
  if (!result.ok) return { error: `woo.error.${result.error.code}` };
  return { done: "woo.connect.connectedManual", values: { store: storeUrl.value } };
}

export default function WooConnectPage() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <StandalonePage locale={locale}>
      <ConnectForms />
    </StandalonePage>
  );
}

function ConnectForms() {
  const t = useT();
  const { encryptionReady, httpsReady, connected } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const [storeUrl, setStoreUrl] = useState("");
  const [manualUrl, setManualUrl] = useState("");
  const [consumerKey, setConsumerKey] = useState("");
  const [consumerSecret, setConsumerSecret] = useState("");

  return (
    <Page title={t("woo.connect.title")} narrowWidth>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && "error" in result ? <Banner tone="critical">{t(result.error)}</Banner> : null}
            {result && "done" in result ? <Banner tone="success">{t(result.done, result.values)}</Banner> : null}
            {!encryptionReady ? <Banner tone="warning">{t("woo.connect.noEncryptionKey")}</Banner> : null}
            {!httpsReady ? <Banner tone="warning">{t("woo.connect.httpWarning")}</Banner> : null}
            {connected ? (
              <Card>
                <Form method="post">
                  <BlockStack gap="300">
                    <Text as="p">{t("woo.connect.connected", { store: connected.storeUrl })}</Text>
                    <input type="hidden" name="intent" value="disconnect" />
                    <Button submit tone="critical" loading={busy}>
                      {t("woo.connect.disconnect")}
                    </Button>
                  </BlockStack>
                </Form>
              </Card>
            ) : null}
            <Card>
              <Form method="post">
                <FormLayout>
                  <Text as="p">{t("woo.connect.intro")}</Text>
                  <input type="hidden" name="intent" value="connect" />
                  <TextField
                    label={t("woo.connect.storeUrl")}
                    name="storeUrl"
                    type="url"
                    value={storeUrl}
                    onChange={setStoreUrl}
                    helpText={t("woo.connect.storeUrlHelp")}
                    autoComplete="url"
                  />
                  <Button submit variant="primary" loading={busy} disabled={!encryptionReady}>
                    {t("woo.connect.submit")}
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            <Card>
              <Form method="post">
                <FormLayout>
                  <Text as="h2" variant="headingMd">
                    {t("woo.connect.manualTitle")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t("woo.connect.manualHelp")}
                  </Text>
                  <input type="hidden" name="intent" value="manual" />
                  <TextField
                    label={t("woo.connect.storeUrl")}
                    name="storeUrl"
                    type="url"
                    value={manualUrl}
                    onChange={setManualUrl}
                    autoComplete="url"
                  />
                  <TextField
                    label={t("woo.connect.consumerKey")}
                    name="consumerKey"
                    value={consumerKey}
                    onChange={setConsumerKey}
                    autoComplete="off"
                  />
                  <TextField
                    label={t("woo.connect.consumerSecret")}
                    name="consumerSecret"
                    type="password"
                    value={consumerSecret}
                    onChange={setConsumerSecret}
                    autoComplete="off"
                  />
                  <Button submit loading={busy} disabled={!encryptionReady}>
                    {t("woo.connect.manualSubmit")}
                  </Button>
                </FormLayout>
              </Form>
            </Card>
            {connected ? null : (
              <Text as="p">
                <Link url="/woocommerce/login">{t("woo.connect.staffLogin")}</Link>
              </Text>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
