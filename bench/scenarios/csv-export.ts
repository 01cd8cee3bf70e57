import { spawn } from "node:child_process";
import path from "node:path";

import { z } from "zod";

import { generate } from "../generate";
import { goalAtMost, nodeFlagsOf, timed, withBenchDatabase } from "../support";
import type { BenchFigure, BenchScenario } from "../types";

/*
 * CSV export of 1,000,000 cases (quick: 20,000) through the route's streaming path (casesCsvStream in the tenant
 * scope: on PostgreSQL one COPY of the view in text format, lines written by Node into a spool the download reads),
 * against PostgreSQL's own `COPY (select …) TO STDOUT WITH CSV` of the same rows in the same order (created_at desc,
 * id desc, the view's default), read through postgres.js. The export runs in a child process (under tsx, as
 * `npm start` runs the web process) so its RSS is its own: the peak of the whole process is the goal figure; the RSS
 * before the export (Node, tsx, the app's modules) and the growth during it are reported beside it.
 */

const RATIO_GOAL = 2;
const RSS_GOAL_MB = 200;
/*
 * Node 24 sizes V8's young generation by the heap limit (64 MB semi-spaces on this 23.5 GB machine); the ESM
 * loader's garbage at start-up and the export's short-lived strings fill it, and what it grew to stays resident.
 * `npm start` therefore runs the web process with a small one (docs/decisions/008-process-memory.md): the export
 * runs with package.json's flags, and once more with Node's defaults to show what they cost.
 */
const childResult = z.object({
  ms: z.number(),
  bytes: z.number(),
  rows: z.number(),
  maxRssKb: z.number(),
  rssBeforeKb: z.number(),
  rssDuringKb: z.number(),
});

const scenario: BenchScenario = {
  name: "csv-export",
  async run(ctx) {
    return withBenchDatabase(ctx, "csv_export", async ({ sql, url }) => {
      const size = ctx.quick ? 20_000 : 1_000_000;
      const generated = await generate(
        sql,
        {
          mix: "list",
          now: new Date(),
          groups: [
            { shops: 1, casesPerShop: size },
            { shops: 10, casesPerShop: 1_000 },
          ],
        },
        ctx.log,
      );
      const shopId = generated.shopIds[0]![0]!;

      // The same rows in the same order, the columns the export shows; COPY formats them in the server.
      const copy = async () => {
        let bytes = 0;
        // COPY takes no parameters; the id is the uuid this scenario generated.
        const stream = await sql
          .unsafe(
            `copy (select order_name, customer_first_name, customer_last_name, outstanding_minor, currency, due_date, status,
                          dunning_level, created_at
                   from cases where shop_id = '${z.uuid().parse(shopId)}' order by created_at desc, id desc) to stdout with csv`,
          )
          .readable();
        for await (const chunk of stream) bytes += (chunk as Buffer).byteLength;
        return bytes;
      };
      await copy(); // warm the cache for both
      const copied = await timed(copy);
      ctx.log(`COPY: ${(copied.ms / 1000).toFixed(2)} s, ${(copied.result / 1e6).toFixed(0)} MB`);
      const exported = await exportInChild(url, shopId);
      const mb = (kb: number) => (kb / 1024).toFixed(0);
      ctx.log(
        `export: ${(exported.ms / 1000).toFixed(2)} s, ${(exported.bytes / 1e6).toFixed(0)} MB, ${exported.rows} rows, ` +
          `peak RSS ${mb(exported.maxRssKb)} MB (before the export ${mb(exported.rssBeforeKb)} MB, highest during it ${mb(exported.rssDuringKb)} MB)`,
      );
      if (exported.rows !== size) throw new Error(`the export wrote ${exported.rows} rows, expected ${size}`);
      const defaults = await exportInChild(url, shopId, []);
      ctx.log(
        `export with Node's default flags: ${(defaults.ms / 1000).toFixed(2)} s, peak RSS ${mb(defaults.maxRssKb)} MB (before ${mb(defaults.rssBeforeKb)} MB)`,
      );

      const ratio = exported.ms / copied.ms;
      const figures: BenchFigure[] = [
        {
          scenario: "csv-export",
          metric: "COPY ... TO STDOUT CSV",
          value: copied.ms / 1000,
          unit: "s",
          note: `${size.toLocaleString("en")} rows, ${(copied.result / 1e6).toFixed(0)} MB`,
        },
        {
          scenario: "csv-export",
          metric: "CSV export (route's stream)",
          value: exported.ms / 1000,
          unit: "s",
          note: `${exported.rows.toLocaleString("en")} rows, ${(exported.bytes / 1e6).toFixed(0)} MB`,
        },
        goalAtMost(
          { scenario: "csv-export", metric: "export time / COPY time", value: ratio, unit: "x" },
          RATIO_GOAL,
          `<= ${RATIO_GOAL}x`,
        ),
        goalAtMost(
          {
            scenario: "csv-export",
            metric: "export peak RSS",
            value: exported.maxRssKb / 1024,
            unit: "MB",
            note: `whole exporting process; ${mb(exported.rssBeforeKb)} MB before the export (Node, tsx, app modules), ${mb(exported.rssDuringKb)} MB at most while it ran`,
          },
          RSS_GOAL_MB,
          `< ${RSS_GOAL_MB} MB`,
        ),
        {
          scenario: "csv-export",
          metric: "RSS growth during the export",
          value: (exported.rssDuringKb - exported.rssBeforeKb) / 1024,
          unit: "MB",
          note: "highest RSS sampled per chunk minus RSS before",
        },
        {
          scenario: "csv-export",
          metric: "export peak RSS with Node's default young generation",
          value: defaults.maxRssKb / 1024,
          unit: "MB",
          note: `without npm start's ${nodeFlagsOf("start").join(" ")}: ${mb(defaults.rssBeforeKb)} MB before the export, ${mb(defaults.rssDuringKb)} MB at most while it ran; export ${(defaults.ms / 1000).toFixed(2)} s (${(defaults.ms / copied.ms).toFixed(2)}x COPY)`,
        },
      ];
      return figures;
    });
  },
};

export default scenario;

/** nodeFlags: the child's Node flags; by default those `npm start` gives the web process. */
function exportInChild(
  url: string,
  shopId: string,
  nodeFlags = nodeFlagsOf("start"),
): Promise<z.infer<typeof childResult>> {
  const tsx = path.resolve(process.cwd(), "node_modules/.bin/tsx");
  const child = spawn(
    tsx,
    [...nodeFlags, path.resolve(process.cwd(), "bench/workers/csv-export.ts"), JSON.stringify({ url, shopId })],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the export process exited with ${code}`));
      try {
        resolve(childResult.parse(JSON.parse(out.trim().split("\n").pop() ?? "")));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
