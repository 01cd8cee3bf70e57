// The Shopify Admin GraphQL operations Mahnwerk uses, behind one small function type so the services can be
// tested with msw (by operation name) and run through @shopify/shopify-app-remix's clients in the app.
import { z } from "zod";

/** One GraphQL call: the parsed JSON body (data, errors, extensions), or a thrown error for transport failures. */
export type AdminGraphql = (query: string, variables?: Record<string, unknown>) => Promise<GraphqlBody>;

export type GraphqlBody = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: { cost?: Cost } };

type Cost = { requestedQueryCost?: number; throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } };

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const ORDER_FIELDS = `
  id name createdAt updatedAt cancelledAt currencyCode displayFinancialStatus paymentGatewayNames
  totalOutstandingSet { shopMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  paymentTerms { paymentTermsName paymentTermsType dueInDays overdue paymentSchedules(first: 10) { nodes { issuedAt dueAt completedAt } } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } locale }
  email phone customerLocale
  billingAddress { name firstName lastName company address1 address2 zip city provinceCode countryCodeV2 phone }
  purchasingEntity { __typename ... on PurchasingCompany { company { name } } }
  test tags`;

export const ORDERS_QUERY = `#graphql
query MahnwerkOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SHOP_QUERY = `#graphql
query MahnwerkShop {
  shop { name myshopifyDomain ianaTimezone currencyCode }
  shopLocales(published: true) { locale primary }
}`;

export const TAGS_ADD = `#graphql
mutation MahnwerkTagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }`;

export const TAGS_REMOVE = `#graphql
mutation MahnwerkTagsRemove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { userErrors { field message } } }`;

export const METAFIELDS_SET = `#graphql
mutation MahnwerkMetafieldsSet($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { userErrors { field message code } } }`;

export const ORDER_MARK_AS_PAID = `#graphql
mutation MahnwerkOrderMarkAsPaid($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) { userErrors { field message } order { id displayFinancialStatus } } }`;

/** The search query for orders bought on invoice that may still be open (Shopify's order search syntax). */
export function openOrdersQuery(updatedSince: Date | null): string {
  const open = "(financial_status:pending OR financial_status:partially_paid OR financial_status:authorized)";
  return updatedSince ? `updated_at:>'${updatedSince.toISOString()}'` : open;
}

export const orderGid = (platformOrderId: string) => `gid://shopify/Order/${platformOrderId}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls with respect for Shopify's cost-based throttling: a THROTTLED answer waits for the bucket to refill (from
 * throttleStatus, else an exponential backoff) and tries again; other GraphQL errors are not retried here.
 */
export async function callAdmin<T>(
  admin: AdminGraphql,
  query: string,
  variables: Record<string, unknown>,
  options: { tries?: number; wait?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const tries = options.tries ?? 6;
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    const body = await admin(query, variables);
    const throttled = body.errors?.some((e) => e.extensions?.code === "THROTTLED");
    if (throttled) {
      if (attempt >= tries) throw new AdminApiError("Shopify kept throttling the request", true);
      await wait(refillWaitMs(body.extensions?.cost, attempt));
      continue;
    }
    if (body.errors?.length) throw new AdminApiError(body.errors.map((e) => e.message).join("; "), false);
    return body.data as T;
  }
}

function refillWaitMs(cost: Cost | undefined, attempt: number): number {
  const status = cost?.throttleStatus;
  const needed = cost?.requestedQueryCost;
  if (status && needed && status.restoreRate > 0) {
    return Math.ceil((Math.max(0, needed - status.currentlyAvailable) / status.restoreRate) * 1000) + 100;
  }
  return Math.min(10_000, 500 * 2 ** (attempt - 1));
}

export const shopInfoSchema = z.object({
  shop: z.object({ name: z.string(), myshopifyDomain: z.string(), ianaTimezone: z.string(), currencyCode: z.string().length(3) }),
  shopLocales: z.array(z.object({ locale: z.string(), primary: z.boolean() })),
});

export const ordersPageSchema = z.object({
  orders: z.object({ nodes: z.array(z.unknown()), pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }) }),
});

export const userErrorsSchema = z.array(z.object({ message: z.string() }));
