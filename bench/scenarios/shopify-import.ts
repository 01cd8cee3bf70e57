/**
 * Import of a large Shopify shop from a mocked bulk operation: ordersCount, bulkOperationRunQuery and
 * bulkOperation(id) answered by msw in this process, the JSONL result file streamed by a local HTTP server (made line
 * by line while it is read, as big as Shopify's would be), stored through importShopifyOrders into a throwaway
 * PostgreSQL database. Goal (issue 11): 100,000 orders in < 60 s; peak RSS shows the file is never held in memory.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

import { eq } from "drizzle-orm";
import { setupServer } from "msw/node";

import type { AdminGraphql, GraphqlBody } from "#adapters/shopify/admin-api";
import { orders, shops } from "#app/db/schema";
import { DEFAULT_BULK_BATCH_SIZE } from "#app/services/shopify/bulk-import.server";
import { importShopifyOrders } from "#app/services/shopify/sync.server";

import { adminEndpoint, bulkOrderLines, fakeShopifyBulk } from "../../test/mocks/shopify-admin";
import { goalAtMost, timed, withBenchDatabase } from "../support";
import type { BenchFigure, BenchScenario } from "../types";

const DOMAIN = "bench-grosshandel.myshopify.com";

const scenario: BenchScenario = {
  name: "shopify-import",
  async run(ctx) {
    const count = ctx.quick ? 5_000 : 100_000;
    const batchSize = Number(process.env.BENCH_IMPORT_BATCH ?? DEFAULT_BULK_BATCH_SIZE);
    const file = await serveJsonl(() => bulkOrderLines(count, { termsEvery: 3 }));
    const fake = fakeShopifyBulk({ domain: DOMAIN, openOrders: count, lines: () => [], resultUrl: file.url });
    const msw = setupServer(...fake.handlers);
    msw.listen({ onUnhandledRequest: "bypass" });
    const admin: AdminGraphql = async (query, variables) => {
      const response = await fetch(adminEndpoint(DOMAIN), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphqlBody;
    };
    try {
      return await withBenchDatabase(ctx, "shopify_import", async ({ database }) => {
        const [shop] = await database.db
          .insert(shops)
          .values({
            platform: "shopify",
            domain: DOMAIN,
            name: "Bench Großhandel",
            timezone: "Europe/Berlin",
            currency: "EUR",
            locale: "de",
          })
          .returning();
        const baseline = process.memoryUsage().rss;
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
        ctx.log(`importing ${count} orders from a bulk operation (batches of ${batchSize}) …`);
        const { ms, result } = await timed(() =>
          importShopifyOrders(database.db, shop!, admin, new Date(), { bulkThreshold: 1_000, batchSize }),
        );
        clearInterval(sampler);
        const stored = await database.db.$count(orders, eq(orders.shopId, shop!.id));
        if (!result.finished || result.mode !== "bulk" || stored !== count) {
          throw new Error(`import incomplete: ${JSON.stringify(result)}, ${stored} of ${count} orders stored`);
        }
        const seconds = ms / 1000;
        const figures: BenchFigure[] = [
          goalAtMost(
            {
              scenario: "shopify-import",
              metric: `import ${count.toLocaleString("en")} orders`,
              value: round(seconds, 2),
              unit: "s",
              note: `bulk JSONL streamed, batches of ${batchSize}`,
            },
            60,
            "< 60 s",
          ),
          { scenario: "shopify-import", metric: "orders/s", value: Math.round(count / seconds), unit: "orders/s" },
          {
            scenario: "shopify-import",
            metric: "peak RSS growth",
            value: round((peak - baseline) / 1_048_576, 1),
            unit: "MB",
            note: `file ${round(file.bytes() / 1_048_576, 1)} MB`,
          },
        ];
        ctx.log(`${Math.round(count / seconds)} orders/s`);
        return figures;
      });
    } finally {
      msw.close();
      await file.close();
    }
  },
};

export default scenario;

/** A local HTTP server streaming the lines (with backpressure), as Shopify's storage serves the result file. */
async function serveJsonl(
  lines: () => Iterable<string>,
): Promise<{ url: string; bytes: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/jsonl" });
    const body = Readable.from(
      (function* () {
        for (const line of lines()) {
          const chunk = `${line}\n`;
          sent += Buffer.byteLength(chunk);
          yield chunk;
        }
      })(),
    );
    body.pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/result.jsonl`,
    bytes: () => sent,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
