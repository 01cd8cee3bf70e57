import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Page } from "@shopify/polaris";

import type { Actor } from "#app/domain/case/events";
import { useT } from "#app/i18n/react";
import { paymentsPage } from "#app/services/payments/payments-page.server";
import {
  assignCredit,
  dismissCredit,
  importStatement,
  MAX_STATEMENT_BYTES,
} from "#app/services/payments/statement-import.server";
import { withLocale } from "#app/utils/format";
import { requireShopContext } from "#app/web/shop-context.server";

import { DecidedCredits } from "./decided-credits";
import { ImportCard } from "./import-card";
import { ReviewList } from "./review-list";

/** Bank statements in, and the credits that wait for a person (docs/payment-matching.md). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, tenant } = await requireShopContext(request);
  return { timezone: shop.timezone, page: await tenant((db) => paymentsPage(db, shop.id)) };
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, staff, tenant } = await requireShopContext(request);
  const actor: Actor = { type: "staff", id: staff.id, name: staff.name };
  const now = new Date();
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    // One file, held in memory up to the statement limit (the server refused larger bodies before reading them).
    const form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_STATEMENT_BYTES }),
    ).catch(() => null);
    const file = form?.get("statement");
    if (!(file instanceof File) || file.size === 0) return { intent: "import", ok: false, message: null } as const;
    const bytes = Buffer.from(await file.arrayBuffer());
    const result = await tenant((db) => importStatement(db, shop, { bytes, name: file.name }, { actor, now }));
    return result.ok
      ? ({ intent: "import", ok: true, result } as const)
      : ({ intent: "import", ok: false, message: result.error.message } as const);
  }
  const form = await request.formData();
  const creditId = String(form.get("creditId") ?? "");
  const outcome =
    form.get("intent") === "assign"
      ? await tenant((db) =>
          assignCredit(db, shop, {
            creditId,
            target: form.has("orderId")
              ? { orderId: String(form.get("orderId") ?? "") }
              : { caseId: String(form.get("caseId") ?? "") },
            actor,
            now,
          }),
        )
      : await tenant((db) => dismissCredit(db, shop, { creditId, actor, now }));
  return { intent: "review", ...outcome } as const;
}

export default function PaymentsPage() {
  const { page, timezone } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const t = useT();
  const [params] = useSearchParams();
  return (
    <Page
      title={t("payments.title")}
      subtitle={t("payments.subtitle")}
      backAction={{ content: t("case.back"), url: withLocale("/app", params) }}
    >
      <BlockStack gap="400">
        <ImportCard
          answer={answer?.intent === "import" ? answer : undefined}
          imports={page.imports}
          timezone={timezone}
        />
        <ReviewList
          credits={page.review}
          failed={answer?.intent === "review" && !answer.ok ? answer.error.message : null}
        />
        <DecidedCredits credits={page.decided} />
      </BlockStack>
    </Page>
  );
}
