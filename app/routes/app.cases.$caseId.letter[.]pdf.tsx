import type { LoaderFunctionArgs } from "@remix-run/node";

import { getEnv } from "#app/config/env.server";
import { demoPayNowUrl } from "#app/demo/payment-page.server";
import { translator } from "#app/i18n/i18n";
import { renderReminderLetter } from "#app/mail/reminder-letter.server";
import { reminderLetterFor } from "#app/services/dunning/letters.server";
import { platformPayNowLinks } from "#app/services/dunning/pay-now-links.server";
import { recordAccess, tabReader } from "#app/services/privacy/access-log.server";
import { getShopify, shopifyAdminFor } from "#app/shopify.server";
import { requireShopContext } from "#app/web/shop-context.server";

/** "Brief als PDF": the case's reminder as a printable letter (`?level=` picks a level), for this shop's cases only. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop, staff, locale, tenant } = await requireShopContext(request);
  const level = new URL(request.url).searchParams.get("level");
  const letter = await tenant(async (db) => {
    const found = await reminderLetterFor(db, shop, params.caseId ?? "", level, {
      now: new Date(),
      mailFrom: getEnv().MAIL_FROM,
      payNowLinks: platformPayNowLinks({
        shopifyAdminFor: getShopify() ? shopifyAdminFor : null,
        demoPayNowUrl: getEnv().demoMode ? (orderId) => demoPayNowUrl(getEnv().appUrl, orderId) : null,
      }),
    });
    if (found.kind === "ok")
      await recordAccess(db, { shopId: shop.id, actor: tabReader(staff), what: "letter", caseId: found.caseId });
    return found;
  });
  const t = translator(locale);
  const text = (status: number, message: string) =>
    new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  switch (letter.kind) {
    case "not_found":
      return text(404, "Not found");
    case "no_address":
      return text(409, t("case.letter.needsAddress"));
    case "no_recipient":
      return text(409, t("case.letter.noRecipient"));
    case "invalid":
      return text(409, letter.reason);
    case "ok": {
      const pdf = await renderReminderLetter(letter.input);
      return new Response(Buffer.from(pdf), {
        headers: {
          "Content-Type": "application/pdf",
          "Content-Disposition": `inline; filename="${letter.filename}"`,
          "Cache-Control": "no-store",
        },
      });
    }
  }
}
