// The Shopify Admin GraphQL operations Mahnwerk uses, behind one small function type so the services can be
// tested with msw (by operation name) and run through @shopify/shopify-app-remix's clients in the app.
import { z } from "zod";

/** One GraphQL call: the parsed JSON body (data, errors, extensions), or a thrown error for transport failures. */
export type AdminGraphql = (query: string, variables?: Record<string, unknown>) => Promise<GraphqlBody>;

export type GraphqlBody = {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: Cost };
};

type Cost = {
  requestedQueryCost?: number;
  throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
};

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const ORDER_SCALARS = `
  id name createdAt updatedAt cancelledAt currencyCode displayFinancialStatus paymentGatewayNames
  totalOutstandingSet { shopMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } locale }
  email phone customerLocale
  billingAddress { name firstName lastName company address1 address2 zip city provinceCode countryCodeV2 phone }
  purchasingEntity { __typename ... on PurchasingCompany { company { name } } }
  test tags`;

const ORDER_FIELDS = `${ORDER_SCALARS}
  paymentTerms { paymentTermsName paymentTermsType dueInDays overdue paymentSchedules(first: 10) { nodes { issuedAt dueAt completedAt } } }`;

export const ORDERS_QUERY = `#graphql
query MahnwerkOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** One order, read again right before its claim goes to the partner. */
export const ORDER_QUERY = `#graphql
query MahnwerkOrder($id: ID!) {
  order(id: $id) { ${ORDER_FIELDS} }
}`;

export const orderByIdSchema = z.object({ order: z.unknown().nullable() });

/** Where the customer can pay the rest of an order online, read when a reminder is written (docs/payments.md). */
export const ORDER_PAYMENT_LINK_QUERY = `#graphql
query MahnwerkOrderPaymentLink($id: ID!) {
  order(id: $id) { paymentCollectionDetails { additionalPaymentCollectionUrl } }
}`;

export const orderPaymentLinkSchema = z.object({
  order: z
    .object({ paymentCollectionDetails: z.object({ additionalPaymentCollectionUrl: z.string().nullable() }) })
    .nullable(),
});

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

/** The invoice guard (extensions/invoice-guard): the shop's payment customization running our Function. */
export const PAYMENT_CUSTOMIZATION_CREATE = `#graphql
mutation MahnwerkPaymentCustomizationCreate($input: PaymentCustomizationInput!) { paymentCustomizationCreate(paymentCustomization: $input) { paymentCustomization { id } userErrors { field message code } } }`;

export const PAYMENT_CUSTOMIZATION_UPDATE = `#graphql
mutation MahnwerkPaymentCustomizationUpdate($id: ID!, $input: PaymentCustomizationInput!) { paymentCustomizationUpdate(id: $id, paymentCustomization: $input) { paymentCustomization { id } userErrors { field message code } } }`;

export const PAYMENT_CUSTOMIZATION_DELETE = `#graphql
mutation MahnwerkPaymentCustomizationDelete($id: ID!) { paymentCustomizationDelete(id: $id) { deletedId userErrors { field message code } } }`;

const customizationErrors = z.array(
  z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable() }),
);

export const paymentCustomizationCreateSchema = z.object({
  paymentCustomizationCreate: z.object({
    paymentCustomization: z.object({ id: z.string() }).nullable(),
    userErrors: customizationErrors,
  }),
});

export const paymentCustomizationUpdateSchema = z.object({
  paymentCustomizationUpdate: z.object({
    paymentCustomization: z.object({ id: z.string() }).nullable(),
    userErrors: customizationErrors,
  }),
});

export const paymentCustomizationDeleteSchema = z.object({
  paymentCustomizationDelete: z.object({ deletedId: z.string().nullable(), userErrors: customizationErrors }),
});

export const metafieldsSetSchema = z.object({
  metafieldsSet: z.object({
    userErrors: z.array(
      z.object({ field: z.array(z.string()).nullable(), message: z.string(), code: z.string().nullable() }),
    ),
  }),
});

export const ORDER_MARK_AS_PAID = `#graphql
mutation MahnwerkOrderMarkAsPaid($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) { userErrors { field message } order { id displayFinancialStatus } } }`;

export const ORDERS_COUNT_QUERY = `#graphql
query MahnwerkOrdersCount($query: String!, $limit: Int) {
  ordersCount(query: $query, limit: $limit) { count precision }
}`;

/**
 * The same order fields as the paginated import, as a bulk query. In a bulk operation's JSONL every node of a nested
 * connection is a line of its own with `__parentId` (payment schedules here), and `first`/`pageInfo` do not apply.
 * paymentTerms' own id lets a schedule line be matched whether Shopify names the order or the terms as its parent.
 */
export function bulkOrdersQuery(search: string): string {
  return `{
  orders(query: ${JSON.stringify(search)}, sortKey: UPDATED_AT) {
    edges { node { ${ORDER_SCALARS}
      paymentTerms { id paymentTermsName paymentTermsType dueInDays overdue paymentSchedules { edges { node { id issuedAt dueAt completedAt } } } }
    } }
  }
}`;
}

/*
 * groupObjects: since 2026-01 Shopify no longer keeps a parent's child lines next to it unless asked. We ask, so the
 * file can be read as a stream with one order in hand at a time; our query is small (one nested connection), which
 * keeps the cost of grouping low. A child that still arrives late is matched within the current batch.
 */
export const BULK_OPERATION_RUN_QUERY = `#graphql
mutation MahnwerkBulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}`;

const BULK_OPERATION_FIELDS =
  "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query";

/** Polling by id: `currentBulkOperation` is deprecated, and several bulk queries may run per shop since 2026-01. */
export const BULK_OPERATION_QUERY = `#graphql
query MahnwerkBulkOperation($id: ID!) {
  bulkOperation(id: $id) { ${BULK_OPERATION_FIELDS} }
}`;

/** The app's recent bulk queries, newest first: finds an operation we started but could not record (a crash). */
export const BULK_OPERATIONS_QUERY = `#graphql
query MahnwerkBulkOperations($query: String!) {
  bulkOperations(first: 5, query: $query) { nodes { ${BULK_OPERATION_FIELDS} } }
}`;

/** The search query for orders bought on invoice that may still be open (Shopify's order search syntax). */
export function openOrdersQuery(updatedSince: Date | null): string {
  const open = "(financial_status:pending OR financial_status:partially_paid OR financial_status:authorized)";
  return updatedSince ? `updated_at:>'${updatedSince.toISOString()}'` : open;
}

/** The bulk import's query (every open invoice order): the `query` argument of bulkOperationRunQuery. */
export const OPEN_ORDERS_BULK_QUERY = bulkOrdersQuery(openOrdersQuery(null));

export const orderGid = (platformOrderId: string) => `gid://shopify/Order/${platformOrderId}`;
export const customerGid = (platformCustomerId: string) => `gid://shopify/Customer/${platformCustomerId}`;

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
  shop: z.object({
    name: z.string(),
    myshopifyDomain: z.string(),
    ianaTimezone: z.string(),
    currencyCode: z.string().length(3),
  }),
  shopLocales: z.array(z.object({ locale: z.string(), primary: z.boolean() })),
});

export const ordersPageSchema = z.object({
  orders: z.object({
    nodes: z.array(z.unknown()),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
  }),
});

export const userErrorsSchema = z.array(z.object({ message: z.string() }));

export const ordersCountSchema = z.object({
  ordersCount: z.object({ count: z.number().int().nonnegative(), precision: z.string() }).nullable(),
});

export const BULK_OPERATION_STATUSES = [
  "CANCELED",
  "CANCELING",
  "COMPLETED",
  "CREATED",
  "EXPIRED",
  "FAILED",
  "RUNNING",
] as const;

export const bulkOperationSchema = z.object({
  id: z.string().startsWith("gid://shopify/BulkOperation/"),
  status: z.enum(BULK_OPERATION_STATUSES),
  /** ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT today; kept as text so a new code is reported, not rejected. */
  errorCode: z.string().nullish(),
  createdAt: z.string().optional(),
  objectCount: z.union([z.string(), z.number()]).nullish(),
  rootObjectCount: z.union([z.string(), z.number()]).nullish(),
  url: z.string().url().nullish(),
  partialDataUrl: z.string().url().nullish(),
  query: z.string().nullish(),
});
export type BulkOperation = z.infer<typeof bulkOperationSchema>;

export const bulkRunSchema = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: bulkOperationSchema.pick({ id: true, status: true }).nullable(),
    userErrors: z.array(z.object({ message: z.string(), code: z.string().nullish() })),
  }),
});

export const bulkOperationByIdSchema = z.object({ bulkOperation: bulkOperationSchema.nullable() });

export const bulkOperationsSchema = z.object({ bulkOperations: z.object({ nodes: z.array(bulkOperationSchema) }) });
