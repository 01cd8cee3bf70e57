import { graphql, http, HttpResponse, type RequestHandler } from "msw";

import { fixtureJson } from "../fixtures/sign";

/*
 * A Shopify shop's Admin API as far as the bulk import uses it: ordersCount, bulkOperationRunQuery,
 * bulkOperation(id), bulkOperations, and the JSONL result file, shaped after shopify.dev (2026-10). The file is
 * generated line by line while it is read, so a fake shop with 100,000 orders costs no memory.
 */

export const SHOPIFY_TEST_API_VERSION = "2026-10";

export function adminEndpoint(domain: string): string {
  return `https://${domain}/admin/api/${SHOPIFY_TEST_API_VERSION}/graphql.json`;
}

type Status = { status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED"; errorCode?: string };

export type FakeBulkOptions = {
  domain: string;
  /** What ordersCount answers (EXACT below its limit, AT_LEAST at it). */
  openOrders: number;
  /** The result file's lines (made on demand, once per download). */
  lines: () => Iterable<string>;
  /** Per started operation, the statuses successive polls see (the last one repeats); default: COMPLETED. */
  runs?: Status[][];
  /** Where the result file is served; a URL on another host is served by the caller (e.g. a local HTTP server). */
  resultUrl?: string;
  /** bulkOperationRunQuery answers these userErrors instead of starting an operation. */
  refuseWith?: { message: string; code: string };
};

export type FakeBulkState = {
  started: string[];
  polls: number;
  downloads: number;
  lastQuery: string | null;
};

/** msw handlers for one shop's bulk import, and what they saw. */
export function fakeShopifyBulk(options: FakeBulkOptions): { handlers: RequestHandler[]; state: FakeBulkState } {
  const api = graphql.link(adminEndpoint(options.domain));
  const resultUrl = options.resultUrl ?? `https://storage.shopifycloud.test/bulk/${options.domain}/result.jsonl`;
  const state: FakeBulkState = { started: [], polls: 0, downloads: 0, lastQuery: null };
  const pollsOf = new Map<string, number>();
  /** The operation as a poll sees it (each poll moves it on to its next status); `peek` looks without moving. */
  const operation = (id: string, peek = false) => {
    const index = state.started.indexOf(id);
    const statuses = options.runs?.[index] ?? options.runs?.[options.runs.length - 1] ?? [{ status: "COMPLETED" }];
    const seen = pollsOf.get(id) ?? 0;
    if (!peek) pollsOf.set(id, seen + 1);
    const { status, errorCode } = statuses[Math.min(peek ? Math.max(seen - 1, 0) : seen, statuses.length - 1)]!;
    return {
      id,
      status,
      errorCode: errorCode ?? null,
      createdAt: "2026-11-01T10:00:00Z",
      completedAt: status === "COMPLETED" ? "2026-11-01T10:05:00Z" : null,
      objectCount: "0",
      rootObjectCount: "0",
      fileSize: null,
      url: status === "COMPLETED" ? `${resultUrl}?op=${encodeURIComponent(id)}` : null,
      partialDataUrl: null,
      query: state.lastQuery,
    };
  };

  const handlers: RequestHandler[] = [
    api.query("MahnwerkOrdersCount", ({ variables }) => {
      const limit = typeof variables.limit === "number" ? variables.limit : 10_000;
      const count = Math.min(options.openOrders, limit);
      return HttpResponse.json({
        data: { ordersCount: { count, precision: options.openOrders >= limit ? "AT_LEAST" : "EXACT" } },
      });
    }),
    api.mutation("MahnwerkBulkOperationRunQuery", ({ variables }) => {
      if (options.refuseWith) {
        return HttpResponse.json({
          data: {
            bulkOperationRunQuery: { bulkOperation: null, userErrors: [{ field: ["query"], ...options.refuseWith }] },
          },
        });
      }
      const id = `gid://shopify/BulkOperation/${7_000 + state.started.length}`;
      state.started.push(id);
      state.lastQuery = String(variables.query);
      return HttpResponse.json({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id, status: "CREATED", createdAt: "2026-11-01T10:00:00Z" },
            userErrors: [],
          },
        },
      });
    }),
    api.query("MahnwerkBulkOperation", ({ variables }) => {
      state.polls += 1;
      const id = String(variables.id);
      return HttpResponse.json({ data: { bulkOperation: state.started.includes(id) ? operation(id) : null } });
    }),
    api.query("MahnwerkBulkOperations", () =>
      // Newest first, as Shopify lists them.
      HttpResponse.json({
        data: {
          bulkOperations: {
            nodes: state.started
              .map((id) => operation(id, true))
              .reverse()
              .slice(0, 5),
          },
        },
      }),
    ),
  ];
  if (!options.resultUrl) {
    handlers.push(
      http.get(resultUrl, () => {
        state.downloads += 1;
        return new HttpResponse(jsonlStream(options.lines()), { headers: { "content-type": "application/jsonl" } });
      }),
    );
  }
  return { handlers, state };
}

/** A byte stream of lines, made as it is pulled, in chunks of about 64 kB. */
export function jsonlStream(lines: Iterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = lines[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = "";
      while (chunk.length < 64 * 1024) {
        const next = iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += `${next.value}\n`;
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
}

/**
 * fetch, except that the first download breaks off after `lines` lines, as a dropped connection would: what arrived
 * before is read first. (Breaking the mocked response itself is not enough: msw tees it, and an errored stream drops
 * what it had queued.)
 */
export function fetchBreakingOnce(lines: number): typeof fetch {
  let broken = false;
  return async (input, init) => {
    const response = await fetch(input, init);
    if (broken || !response.body) return response;
    broken = true;
    const reader = response.body.getReader();
    let seen = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (seen >= lines) {
            await reader.cancel();
            controller.error(new Error("connection reset while downloading the bulk result"));
            return;
          }
          const { done, value } = await reader.read();
          if (done) return controller.close();
          let cut = value.length;
          for (let i = 0; i < value.length; i++) {
            if (value[i] === 10 && ++seen >= lines) {
              cut = i + 1;
              break;
            }
          }
          controller.enqueue(value.subarray(0, cut));
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(stream, { status: response.status, headers: response.headers });
  };
}

/**
 * The JSONL of a bulk query over `count` open invoice orders, as Shopify writes it: one line per order (its payment
 * terms without the schedules connection), then a line per payment schedule with `__parentId`. Every `termsEvery`-th
 * order has payment terms with one schedule (due 30 days after the order).
 */
export function* bulkOrderLines(
  count: number,
  options: { termsEvery?: number; firstId?: number } = {},
): Generator<string> {
  const termsEvery = options.termsEvery ?? 2;
  const firstId = options.firstId ?? 5_000_000;
  const { paymentTerms: _terms, ...base } = fixtureJson("shopify/graphql-order-node.json") as Record<string, unknown>;
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const createdAt = new Date(Date.UTC(2026, 8, 1) + (i % 50) * 86_400_000);
    const order: Record<string, unknown> = {
      ...base,
      id: `gid://shopify/Order/${id}`,
      name: `#${100_000 + i}`,
      createdAt: createdAt.toISOString(),
      updatedAt: new Date(Date.UTC(2026, 9, 12, 9) + i * 1000).toISOString(),
      paymentTerms: null,
    };
    const withTerms = termsEvery > 0 && i % termsEvery === 0;
    if (withTerms)
      order.paymentTerms = {
        id: `gid://shopify/PaymentTerms/${id}`,
        paymentTermsName: "Net 30",
        paymentTermsType: "NET",
        dueInDays: 30,
        overdue: false,
      };
    yield JSON.stringify(order);
    if (withTerms) {
      const dueAt = new Date(createdAt.getTime() + 30 * 86_400_000).toISOString();
      yield JSON.stringify({
        id: `gid://shopify/PaymentSchedule/${id}`,
        issuedAt: createdAt.toISOString(),
        dueAt,
        completedAt: null,
        __parentId: `gid://shopify/PaymentTerms/${id}`,
      });
    }
  }
}
