import type { LoaderFunctionArgs } from "@remix-run/node";

import { casesCsvStream } from "#app/services/cases/csv.server";
import { caseListQuerySchema } from "#app/services/cases/list.server";
import { recordAccess, tabReader } from "#app/services/privacy/access-log.server";
import { requireShopContext } from "#app/web/shop-context.server";

/** "CSV herunterladen": exactly the view in the URL, all pages. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop, staff, locale, tenant } = await requireShopContext(request);
  const parsed = caseListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return new Response("Invalid filter", { status: 400 });
  const { cursor: _cursor, limit: _limit, ...query } = parsed.data;
  const now = new Date();
  await tenant((db) => recordAccess(db, { shopId: shop.id, actor: tabReader(staff), what: "export", at: now }));
  const filename = `${locale === "de" ? "inkasso-faelle" : "collection-cases"}-${now.toISOString().slice(0, 10)}.csv`;
  return new Response(casesCsvStream(tenant, shop, query, locale, now), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}
