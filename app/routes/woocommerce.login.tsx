import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";

import { StandalonePage } from "#app/components/standalone-page";
import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { type MessageKey, pickLocale, translator } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";
import { createMailer } from "#app/mail/mailer.server";
import {
  createStaffSession,
  redeemMagicLink,
  staffCookie,
  startMagicLinks,
} from "#app/services/woocommerce/staff.server";
import { clientAddress } from "#app/utils/client-address.server";
import { logger } from "#app/utils/logger.server";
import { singleton } from "#app/utils/singleton.server";
import { RateLimiter } from "#app/web/rate-limit.server";

/**
 * Sign-in by e-mailed link for WooCommerce staff away from wp-admin (app/services/woocommerce/staff.server.ts has the rules). GET shows
 * the request form, or with ?token= a button: the token is only spent by the POST that button sends.
 */
/** The page may carry a token in its URL: keep it out of caches and Referer headers. */
export const headers = () => ({ "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const token = url.searchParams.get("token");
  return {
    locale: pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language")),
    mailReady: Boolean(getEnv().SMTP_URL),
    token: token && token.length <= 100 ? token : null,
  };
}

const formSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("request"), email: z.string().trim().max(320).pipe(z.email()) }),
  z.object({ intent: z.literal("redeem"), token: z.string().max(100) }),
]);

type ActionResult = { error: MessageKey } | { sent: true };

/** Per client address: a few requests an hour (the per-address limit is in the database, sendMagicLinks). */
const requestLimiter = () =>
  singleton("woo-login-limiter", () => new RateLimiter({ capacity: 10, refillPerSecond: 10 / 3600 }));

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult | Response> {
  const url = new URL(request.url);
  const locale = pickLocale(url.searchParams.get("locale"), request.headers.get("accept-language"));
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: "woo.login.invalidEmail" };
  const env = getEnv();
  const db = await getDb();
  const now = new Date();

  if (parsed.data.intent === "redeem") {
    const result = await redeemMagicLink(db, parsed.data.token, now);
    if (!result.ok) {
      logger.warn({ code: result.error.code }, "magic link sign-in refused");
      return { error: "woo.login.failed" };
    }
    const session = await createStaffSession(db, result.value.shopId, result.value.staff, now);
    return redirect("/app", {
      headers: {
        "Set-Cookie": staffCookie(session.value, session.expiresAt, { secure: env.NODE_ENV === "production" }),
        "Cache-Control": "no-store",
      },
    });
  }

  if (!env.SMTP_URL) return { error: "woo.login.unavailable" };
  const client = clientAddress(request, context);
  if (!requestLimiter().take(client, now.getTime()).ok)
    return new Response(translator(locale)("woo.login.tooMany"), { status: 429 });
  const t = translator(locale);
  // Not awaited: how long the mail server takes must not tell a known address from an unknown one.
  startMagicLinks(db, parsed.data.email, {
    now,
    appUrl: getEnv().appUrl,
    mailer: createMailer(env.SMTP_URL),
    from: env.MAIL_FROM,
    text: {
      subject: t("woo.login.mail.subject"),
      body: (values) => t("woo.login.mail.body", values),
      signOff: t("woo.login.mail.signOff"),
    },
  });
  return { sent: true };
}

export default function WooLoginPage() {
  const { locale } = useLoaderData<typeof loader>();
  return (
    <StandalonePage locale={locale}>
      <LoginForms />
    </StandalonePage>
  );
}

function LoginForms() {
  const t = useT();
  const { mailReady, token } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const busy = useNavigation().state !== "idle";
  const [email, setEmail] = useState("");
  const failed = result && "error" in result && result.error === "woo.login.failed";

  return (
    <Page title={t("woo.login.title")} narrowWidth>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && "error" in result ? <Banner tone="critical">{t(result.error)}</Banner> : null}
            {result && "sent" in result ? <Banner tone="success">{t("woo.login.sent")}</Banner> : null}
            {token && !failed ? (
              <Card>
                <Form method="post">
                  <BlockStack gap="300">
                    <Text as="p">{t("woo.login.confirmIntro")}</Text>
                    <input type="hidden" name="intent" value="redeem" />
                    <input type="hidden" name="token" value={token} />
                    <Button submit variant="primary" loading={busy}>
                      {t("woo.login.confirm")}
                    </Button>
                  </BlockStack>
                </Form>
              </Card>
            ) : null}
            {!mailReady ? <Banner tone="warning">{t("woo.login.unavailable")}</Banner> : null}
            <Card>
              <Form method="post">
                <FormLayout>
                  <Text as="p">{t("woo.login.intro")}</Text>
                  <input type="hidden" name="intent" value="request" />
                  <TextField
                    label={t("woo.login.email")}
                    name="email"
                    type="email"
                    value={email}
                    onChange={setEmail}
                    autoComplete="email"
                  />
                  <Button submit loading={busy} disabled={!mailReady}>
                    {t("woo.login.submit")}
                  </Button>
                </FormLayout>
              </Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
