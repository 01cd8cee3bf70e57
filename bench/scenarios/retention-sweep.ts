/**
 * Retention sweep (issue: "Measured in `npm run bench` on 10 million inbox rows: rows per second removed and the
 * longest lock held"): the real `runRetention` (app/services/privacy/retention.server.ts) over a webhook_inbox of 10,000,000
 * rows (BENCH_RETENTION_ROWS to change it; `--quick`: 100,000), half of them processed and older than 7 days (bodies
 * cleared by inbox.bodies), some dead and older than 30 days (deleted by inbox.failed), the rest recent.
 *
 * Each rule of the sweep locks at most 500 rows (FOR UPDATE SKIP LOCKED) and changes them in one autocommit statement,
 * so the longest lock held is the longest single batch statement: the bench times every statement the sweep sends
 * (a proxy around the app's drizzle handle, bench-only; the product code is not changed). Beside it, one connection
 * keeps updating random recent (not due) inbox rows and inserting new deliveries, as the inbox worker and the webhook
 * routes do, and reports its worst latency.
 *
 * Baseline in the same run: the same removal by raw PostgreSQL, one `UPDATE … WHERE <condition>` and one
 * `DELETE … WHERE <condition>` on an identical copy of the seeded rows (`bench_raw_inbox`, same indexes); the
 * conditions are the sweep's own, taken from the statements it sends. Each holds its row locks for its whole duration.
 *
 * BENCH_RETENTION_BUDGET_S (default 1200) bounds the sweep: after it, the bench refuses the sweep's next statement,
 * runRetention records that as the rule's error, and the figures cover what was done by then (a sweep that slows
 * down batch by batch must not keep the bench running for hours). BENCH_RETENTION_INDEX=<sql> creates a candidate
 * index on both tables before the runs (`{table}` stands for the table name), to try a fix without a migration.
 * BENCH_RETENTION_SYNCSCAN=off runs the sweep's sessions with synchronize_seqscans off: what a server whose
 * shared_buffers exceed four times the table does (PostgreSQL scans only larger tables synchronized), where each
 * batch's sequential scan starts again at block 0.
 */
import type { SQL, SQLWrapper } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";

import { type Database, type Db, openDatabase, rowsOf } from "#app/db/client.server";
import { RETENTION_BATCH, RETENTION_RULES, runRetention } from "#app/services/privacy/retention.server";

import {
  type BenchDatabase,
  elapsedMs,
  goalAtLeast,
  goalAtMost,
  now,
  summarize,
  timed,
  withBenchDatabase,
} from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

const NAME = "retention-sweep";
const RAW_TABLE = "bench_raw_inbox";
/** Rules the bench measures (the others run too, on empty tables). */
const MEASURED = ["inbox.bodies", "inbox.failed"] as const;
type Measured = (typeof MEASURED)[number];

/** Goals (see docs/performance.md, "Retention sweep"). */
const LOCK_GOAL_MS = 1_000;
const RATIO_GOAL = 25;
const GROWTH_GOAL = 2;
const PROBE_GOAL_MS = 1_000;

const SHOPS = [
  { domain: "schreinerei-weber.myshopify.com", name: "Schreinerei Weber" },
  { domain: "wollwerk-berlin.myshopify.com", name: "Wollwerk Berlin" },
  { domain: "kaffee-roesterei-hamburg.myshopify.com", name: "Kaffeerösterei Hamburg" },
];
const FIRST_NAMES = [
  "Anna",
  "Lukas",
  "Marie",
  "Leon",
  "Sophie",
  "Paul",
  "Emma",
  "Jonas",
  "Mia",
  "Felix",
  "Hannah",
  "Elias",
  "Lena",
  "Noah",
];
const LAST_NAMES = [
  "Müller",
  "Schmidt",
  "Schneider",
  "Fischer",
  "Weber",
  "Meyer",
  "Wagner",
  "Becker",
  "Schulz",
  "Hoffmann",
  "Schäfer",
  "Koch",
];
const CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Leipzig"];
const sqlArray = (values: string[]) => `(array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}]::text[])`;

/** Share of the rows (in insertion order) older than 7 days, spread over 8–400 days; the rest is 0–6.9 days old. */
const OLD_SHARE = 0.58;
const CHUNK = 1_000_000;

/**
 * Rows n in [from, to) of `rows`, in receipt order (the heap is in time order, as a real inbox's is): the first 58 %
 * old — processed 80 %, ignored 8 %, dead 10 %, rejected 2 % — the rest recent — processed 85 %, ignored 7 %,
 * received 3 %, dead 5 %. About 51 % of all rows are due for inbox.bodies and 7 % for inbox.failed (dead rows
 * 8–30 days old stay). Bodies are an orders/updated payload of ~600 bytes, headers as Shopify sends them.
 */
function seedSql(table: string): string {
  return `
    insert into ${table} (platform, source, shop_id, topic, dedupe_key, headers, body, status, attempts, last_error,
                          triggered_at, received_at, processed_at)
    select 'shopify', s.domain, s.id, r.topic, 'bench-' || r.n,
           jsonb_build_object('content-type', 'application/json', 'user-agent', 'Shopify-Captain-Hook',
             'x-shopify-topic', r.topic, 'x-shopify-shop-domain', s.domain, 'x-shopify-api-version', '2026-07',
             'x-shopify-webhook-id', 'bench-' || r.n, 'x-shopify-event-id', md5(r.n::text),
             'x-shopify-triggered-at', r.received_at - interval '2 seconds'),
           json_build_object(
             'id', 6120458000000 + r.n, 'admin_graphql_api_id', 'gid://shopify/Order/' || (6120458000000 + r.n),
             'name', '#' || (1001 + r.n), 'email', lower(r.first_name || '.' || r.last_name) || '@example.com',
             'created_at', r.received_at - interval '3 days', 'updated_at', r.received_at - interval '2 seconds',
             'currency', 'EUR', 'total_price', to_char(r.total / 100.0, 'FM9999990.00'), 'financial_status', 'pending',
             'payment_gateway_names', json_build_array('Rechnung'),
             'customer', json_build_object('id', 7000000000 + r.n % 400000, 'first_name', r.first_name, 'last_name', r.last_name,
               'email', lower(r.first_name || '.' || r.last_name) || '@example.com', 'phone', '+49 30 ' || (1000000 + r.n % 8999999)),
             'billing_address', json_build_object('first_name', r.first_name, 'last_name', r.last_name,
               'address1', 'Hauptstraße ' || (1 + r.n % 120), 'zip', lpad(((r.n * 7919) % 99999)::text, 5, '0'), 'city', r.city,
               'country_code', 'DE'))::text,
           r.status, case when r.status in ('dead', 'rejected') then 5 else 1 end,
           case when r.status = 'dead' then 'order not found after 5 attempts' when r.status = 'rejected' then 'unknown shop' end,
           r.received_at - interval '2 seconds', r.received_at,
           case when r.status <> 'received' then r.received_at + interval '3 seconds' end
    from (
      select x.*,
             $now::timestamptz - make_interval(secs => case
               when x.n < $old::bigint then (400 - 392 * x.n::float8 / $old::float8) * 86400
               else (6.9 - 6.9 * (x.n - $old::bigint)::float8 / greatest($rows::bigint - $old::bigint, 1)) * 86400 end) as received_at,
             case when x.n < $old::bigint then
                    case when x.u < 0.80 then 'processed' when x.u < 0.88 then 'ignored' when x.u < 0.98 then 'dead' else 'rejected' end
                  else case when x.u < 0.85 then 'processed' when x.u < 0.92 then 'ignored' when x.u < 0.95 then 'received' else 'dead' end
             end as status
      from (
        select n, random() as u, (array['orders/updated', 'orders/updated', 'orders/create', 'orders/paid'])[1 + floor(random() * 4)::int] as topic,
               (500 * exp(random() * ln(400)))::bigint as total,
               ${sqlArray(FIRST_NAMES)}[1 + floor(${FIRST_NAMES.length} * random())::int] as first_name,
               ${sqlArray(LAST_NAMES)}[1 + floor(${LAST_NAMES.length} * random())::int] as last_name,
               ${sqlArray(CITIES)}[1 + floor(${CITIES.length} * random())::int] as city
        from generate_series($from::bigint, $to::bigint - 1) as n
      ) x
    ) r
    join (select id, domain, row_number() over (order by domain) - 1 as k from shops) s on s.k = r.n % ${SHOPS.length}`;
}

/** $name placeholders -> $1… for postgres.js unsafe(). */
function bind(text: string, values: Record<string, string | number>): [string, (string | number)[]] {
  const names = Object.keys(values);
  return [
    text.replace(/\$([a-z]+)/g, (_, name: string) => `$${names.indexOf(name) + 1}`),
    names.map((name) => values[name]!),
  ];
}

async function seed(ctx: BenchContext, bench: BenchDatabase, rows: number, at: Date): Promise<number> {
  const started = now();
  for (const shop of SHOPS) {
    await bench.sql`insert into shops (platform, domain, name, timezone, currency, locale)
      values ('shopify', ${shop.domain}, ${shop.name}, 'Europe/Berlin', 'EUR', 'de')`;
  }
  // Indexes are built after the rows are in (sorted builds, not ten million random inserts); the primary key stays.
  const indexes = await bench.sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where tablename = 'webhook_inbox' and indexname <> 'webhook_inbox_pkey'`;
  for (const index of indexes) await bench.sql.unsafe(`drop index "${index.name}"`);
  const old = Math.round(rows * OLD_SHARE);
  for (let from = 0; from < rows; from += CHUNK) {
    const to = Math.min(rows, from + CHUNK);
    const [text, params] = bind(seedSql("webhook_inbox"), { now: at.toISOString(), old, rows, from, to });
    await bench.sql.unsafe(text, params);
    ctx.log(
      `seeded ${to.toLocaleString("en")} of ${rows.toLocaleString("en")} inbox rows (${(elapsedMs(started) / 1000).toFixed(0)} s)`,
    );
  }
  // The baseline's copy: the same rows in the same physical order, the same indexes (not the foreign key).
  await bench.sql.unsafe(`create table ${RAW_TABLE} (like webhook_inbox including defaults including constraints)`);
  await bench.sql.unsafe(`insert into ${RAW_TABLE} select * from webhook_inbox`);
  ctx.log(`copied to ${RAW_TABLE} (${(elapsedMs(started) / 1000).toFixed(0)} s)`);
  const definitions = [
    ...indexes.map((index) => index.def),
    ...indexes.map((index) =>
      index.def.replace(/INDEX (\S+) ON (\S+\.)?webhook_inbox /, `INDEX raw_$1 ON ${RAW_TABLE} `),
    ),
    `alter table ${RAW_TABLE} add primary key (id)`,
  ];
  await bench.sql.begin(async (tx) => {
    await tx`set local maintenance_work_mem = '512MB'`;
    for (const definition of definitions) await tx.unsafe(definition);
  });
  ctx.log(`indexes built (${(elapsedMs(started) / 1000).toFixed(0)} s)`);
  const candidate = process.env.BENCH_RETENTION_INDEX;
  if (candidate) {
    for (const table of ["webhook_inbox", RAW_TABLE]) await bench.sql.unsafe(candidate.replaceAll("{table}", table));
    ctx.log(`candidate index created on both tables: ${candidate}`);
  }
  // Autovacuum's steady state (it may be off on the bench server): hint bits set, visibility map, statistics.
  await bench.sql.unsafe(`vacuum (analyze) webhook_inbox, ${RAW_TABLE}`);
  const seconds = elapsedMs(started) / 1000;
  ctx.log(`vacuumed and analysed (${seconds.toFixed(0)} s)`);
  return seconds;
}

/** One statement the sweep sent through `db.execute`, its SQL with the parameters inlined. */
type Statement = { text: string; ms: number; rows: number; startMs: number; endMs: number };

const dialect = new PgDialect();

function inlined(query: SQLWrapper | string): string {
  if (typeof query === "string") return query;
  const { sql, params } = dialect.sqlToQuery((query as SQLWrapper).getSQL() as SQL);
  return sql.replace(/\$(\d+)/g, (_, index: string) => {
    const value = params[Number(index) - 1];
    return value === null || value === undefined
      ? "null"
      : typeof value === "number"
        ? String(value)
        : `'${String(value).replace(/'/g, "''")}'`;
  });
}

/**
 * The app's handle with `execute` timed (every statement of a non-transactional rule goes through it); after
 * `deadline` it throws instead, which runRetention records as the rule's error and stops.
 */
function instrumented(db: Db, statements: Statement[], origin: bigint, deadline: () => number): Db {
  return new Proxy(db, {
    get(target, property) {
      if (property === "execute") {
        return async (query: SQLWrapper | string) => {
          const text = inlined(query);
          if (elapsedMs(origin) > deadline())
            throw new Error(`bench budget of ${(deadline() / 1000).toFixed(0)} s used up`);
          const startMs = elapsedMs(origin);
          const result: unknown = await target.execute(query);
          const endMs = elapsedMs(origin);
          statements.push({ text, ms: endMs - startMs, rows: rowsOf(result).length, startMs, endMs });
          return result;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The due condition of each rule, from the dry run's `select count(*) … where <condition>` (one per enforced rule, in order). */
function conditions(statements: Statement[]): Map<string, string> {
  const enforced = RETENTION_RULES.filter((rule) => rule.enforced).map((rule) => rule.id);
  const result = new Map<string, string>();
  statements.forEach((statement, index) => {
    const match = /^select count\(\*\)::int as n from "[a-z_]+" where ([\s\S]*)$/.exec(statement.text);
    const id = enforced[index];
    if (match && id) result.set(id, match[1]!);
  });
  return result;
}

/**
 * A probe beside the sweep: one connection, about 100 operations a second, alternately an update of a random recent
 * inbox row (as the inbox worker marks a delivery processed; never a due row) and the insert of a new delivery.
 */
function startProbe(url: string, table: string, recentIds: string[]) {
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  const latencies: number[] = [];
  let stop = false;
  let counter = 0;
  const tag = Math.random().toString(36).slice(2, 8);
  const loop = (async () => {
    await client`select 1`;
    while (!stop) {
      const started = now();
      if (counter % 2 === 0) {
        const id = recentIds[Math.floor(Math.random() * recentIds.length)]!;
        await client.unsafe(`update ${table} set attempts = attempts + 1, processed_at = now() where id = $1`, [id]);
      } else {
        await client.unsafe(
          `insert into ${table} (platform, source, topic, dedupe_key, headers, body, status)
           values ('shopify', 'wollwerk-berlin.myshopify.com', 'orders/updated', $1, $2::jsonb, $3, 'received')`,
          [
            `probe-${tag}-${counter}`,
            JSON.stringify({ "x-shopify-topic": "orders/updated" }),
            JSON.stringify({ id: counter, note: "x".repeat(500) }),
          ],
        );
      }
      latencies.push(elapsedMs(started));
      counter += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      stop = true;
      await loop;
      await client.end({ timeout: 5 });
      return summarize(latencies);
    },
  };
}

async function recentIds(bench: BenchDatabase, table: string, at: Date): Promise<string[]> {
  const rows = await bench.sql.unsafe<{ id: string }[]>(
    `select id from ${table} where received_at > $1::timestamptz - interval '6 days' and status = 'processed' limit 5000`,
    [at.toISOString()],
  );
  return rows.map((row) => row.id);
}

async function checkpoint(ctx: BenchContext, bench: BenchDatabase): Promise<void> {
  await bench.sql`checkpoint`.catch((error: unknown) =>
    ctx.log(`no checkpoint: ${error instanceof Error ? error.message : String(error)}`),
  );
}

type RuleRun = {
  rows: number;
  seconds: number;
  batches: number;
  longestMs: number;
  firstMs: number[];
  lastMs: number[];
  finalMs: number;
};

function ruleRun(statements: Statement[]): RuleRun {
  const times = statements.map((s) => s.ms);
  const tenth = Math.max(1, Math.floor(times.length / 10));
  return {
    rows: statements.reduce((sum, s) => sum + s.rows, 0),
    seconds: statements.length ? (statements.at(-1)!.endMs - statements[0]!.startMs) / 1000 : 0,
    batches: statements.length,
    longestMs: times.length ? Math.max(...times) : Number.NaN,
    // Full batches only: the final, short batch scans to the end and proves nothing is left.
    firstMs: times.slice(0, Math.min(tenth, Math.max(times.length - 1, 1))),
    lastMs: times.length > 2 ? times.slice(Math.max(1, times.length - 1 - tenth), times.length - 1) : times,
    finalMs: times.at(-1) ?? Number.NaN,
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

async function run(ctx: BenchContext): Promise<BenchFigure[]> {
  const size = Number(process.env.BENCH_RETENTION_ROWS ?? (ctx.quick ? 100_000 : 10_000_000));
  if (!Number.isInteger(size) || size < 1_000)
    throw new Error(`BENCH_RETENTION_ROWS must be an integer >= 1000, not ${process.env.BENCH_RETENTION_ROWS}`);
  const budgetMs = Number(process.env.BENCH_RETENTION_BUDGET_S ?? 1_200) * 1000;
  return withBenchDatabase(
    ctx,
    "retention_sweep",
    async (bench) => {
      const at = new Date();
      const seedSeconds = await seed(ctx, bench, size, at);
      const [sizes] = await bench.sql<
        { bytes: string }[]
      >`select pg_total_relation_size('webhook_inbox')::text as bytes`;
      const figures: BenchFigure[] = [];
      const scenario = NAME;

      // Dry run through the instrumented handle: the due counts, and each rule's condition as the sweep writes it.
      const dryStatements: Statement[] = [];
      const dryOrigin = now();
      const dry = await runRetention(
        instrumented(bench.database.db, dryStatements, dryOrigin, () => Infinity),
        { now: at, dryRun: true },
      );
      const condition = conditions(dryStatements);
      const due = {
        "inbox.bodies": dry.removed["inbox.bodies"] ?? 0,
        "inbox.failed": dry.removed["inbox.failed"] ?? 0,
      };
      ctx.log(
        `due: ${JSON.stringify(due)} of ${size.toLocaleString("en")} rows (${(Number(sizes!.bytes) / 1024 ** 3).toFixed(2)} GB with indexes)`,
      );
      figures.push({
        scenario,
        metric: "seed",
        value: seedSeconds,
        unit: "s",
        note: `${size.toLocaleString("en")} inbox rows (+ raw copy), ${(Number(sizes!.bytes) / 1024 ** 3).toFixed(2)} GB each; due: ${due["inbox.bodies"].toLocaleString("en")} bodies, ${due["inbox.failed"].toLocaleString("en")} failed`,
      });

      // The pick of the first rule, as planned on the seeded table.
      const bodiesCondition = condition.get("inbox.bodies");
      if (!bodiesCondition) throw new Error("the dry run sent no count for inbox.bodies");
      const pickSql = `select id from webhook_inbox where ${bodiesCondition} limit ${RETENTION_BATCH} for update skip locked`;
      const planBefore = await explain(bench, pickSql);
      ctx.log(`plan of the inbox.bodies pick before the sweep:\n${planBefore}`);

      // The sweep, with the probe beside it.
      const syncscanOff = process.env.BENCH_RETENTION_SYNCSCAN === "off";
      // postgres.js passes unknown URL parameters on as the session's settings.
      const sweepDatabase: Database = syncscanOff
        ? await openDatabase({
            engine: "postgres",
            url: `${bench.url}${bench.url.includes("?") ? "&" : "?"}synchronize_seqscans=off`,
            max: 2,
          })
        : bench.database;
      await checkpoint(ctx, bench);
      const probe = startProbe(bench.url, "webhook_inbox", await recentIds(bench, "webhook_inbox", at));
      const statements: Statement[] = [];
      const origin = now();
      const { ms: sweepMs, result: report } = await timed(() =>
        runRetention(
          instrumented(sweepDatabase.db, statements, origin, () => budgetMs),
          { now: at, batch: RETENTION_BATCH },
        ),
      ).finally(() => (syncscanOff ? sweepDatabase.close() : undefined));
      const sweepProbe = await probe.stop();
      const byRule = attribute(statements, condition);
      const runs = Object.fromEntries(MEASURED.map((id) => [id, ruleRun(byRule.get(id) ?? [])])) as Record<
        Measured,
        RuleRun
      >;
      ctx.log(
        `sweep: ${(sweepMs / 1000).toFixed(1)} s, removed ${JSON.stringify(report.removed)}${report.error ? `, error: ${report.error}` : ""}`,
      );
      const planAfter = await explain(bench, pickSql);
      ctx.log(`plan of the inbox.bodies pick after the sweep:\n${planAfter}`);

      // The raw baseline on the untouched copy, with the same probe beside it.
      const setClause = /^update "webhook_inbox" set ([\s\S]*?) where id in \(/.exec(
        byRule.get("inbox.bodies")?.[0]?.text ?? "",
      )?.[1];
      const failedCondition = condition.get("inbox.failed");
      if (!setClause || !failedCondition) throw new Error("could not derive the raw statements from the sweep's own");
      await checkpoint(ctx, bench);
      const rawProbe = startProbe(bench.url, RAW_TABLE, await recentIds(bench, RAW_TABLE, at));
      const rawBodies = await timed(() =>
        bench.sql.unsafe(`update ${RAW_TABLE} set ${setClause} where ${bodiesCondition}`),
      );
      const rawFailed = await timed(() => bench.sql.unsafe(`delete from ${RAW_TABLE} where ${failedCondition}`));
      const rawProbeSummary = await rawProbe.stop();
      const raw: Record<Measured, { rows: number; ms: number }> = {
        "inbox.bodies": { rows: rawBodies.result.count, ms: rawBodies.ms },
        "inbox.failed": { rows: rawFailed.result.count, ms: rawFailed.ms },
      };
      ctx.log(`raw: ${JSON.stringify(raw)}`);

      const rawLongestMs = Math.max(raw["inbox.bodies"].ms, raw["inbox.failed"].ms);
      const longestMs = Math.max(...MEASURED.map((id) => runs[id].longestMs).filter(Number.isFinite));
      for (const id of MEASURED) {
        const sweep = runs[id];
        const rawRate = raw[id].rows / (raw[id].ms / 1000);
        const rate = sweep.rows / sweep.seconds;
        const growth = mean(sweep.lastMs) / mean(sweep.firstMs);
        figures.push(
          {
            scenario,
            metric: `raw ${id} (one statement)`,
            value: rawRate,
            unit: "rows/s",
            note: `${raw[id].rows.toLocaleString("en")} rows in ${(raw[id].ms / 1000).toFixed(1)} s = its lock time`,
          },
          {
            scenario,
            metric: `sweep ${id}`,
            value: rate,
            unit: "rows/s",
            note: `${sweep.rows.toLocaleString("en")} of ${due[id].toLocaleString("en")} due in ${sweep.seconds.toFixed(1)} s, ${sweep.batches} statements`,
          },
          goalAtLeast(
            { scenario, metric: `sweep / raw ${id}`, value: (rate / rawRate) * 100, unit: "%" },
            RATIO_GOAL,
            `>= ${RATIO_GOAL} %`,
          ),
          goalAtMost(
            {
              scenario,
              metric: `batch time growth ${id}`,
              value: growth,
              unit: "x",
              note: `mean full batch ${mean(sweep.firstMs).toFixed(1)} ms (first tenth) -> ${mean(sweep.lastMs).toFixed(1)} ms (last tenth); final short batch ${sweep.finalMs.toFixed(0)} ms`,
            },
            GROWTH_GOAL,
            `<= ${GROWTH_GOAL}x (linear)`,
          ),
        );
      }
      const complete = MEASURED.every((id) => runs[id].rows === due[id] && raw[id].rows === due[id]) && !report.error;
      figures.push(
        {
          scenario,
          metric: "sweep total",
          value: sweepMs / 1000,
          unit: "s",
          goal: "every due row removed",
          pass: complete,
          note: report.error
            ? `stopped: ${report.error}`
            : `runRetention, all rules${syncscanOff ? ", synchronize_seqscans off" : ""}; removed ${MEASURED.map((id) => `${id} ${report.removed[id] ?? 0}`).join(", ")}`,
        },
        goalAtMost(
          {
            scenario,
            metric: "longest lock held (sweep)",
            value: longestMs,
            unit: "ms",
            note: `longest batch statement; raw: ${(rawLongestMs / 1000).toFixed(1)} s`,
          },
          LOCK_GOAL_MS,
          `< ${LOCK_GOAL_MS} ms`,
        ),
        { scenario, metric: "longest lock sweep / raw", value: (longestMs / rawLongestMs) * 100, unit: "%" },
        goalAtMost(
          {
            scenario,
            metric: "probe worst latency (sweep)",
            value: sweepProbe.max,
            unit: "ms",
            note: probeNote(sweepProbe),
          },
          PROBE_GOAL_MS,
          `< ${PROBE_GOAL_MS} ms`,
        ),
        {
          scenario,
          metric: "probe worst latency (raw)",
          value: rawProbeSummary.max,
          unit: "ms",
          note: probeNote(rawProbeSummary),
        },
      );
      return figures;
    },
    { max: 4 },
  );
}

function probeNote(summary: ReturnType<typeof summarize>): string {
  return `${summary.count} recent-row updates and inserts, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`;
}

/** The sweep's statements of each rule: its batches contain the rule's condition. */
function attribute(statements: Statement[], condition: Map<string, string>): Map<string, Statement[]> {
  const result = new Map<string, Statement[]>();
  for (const statement of statements) {
    const id = [...condition].find(([, text]) => statement.text.includes(`where ${text} limit`))?.[0] ?? "other";
    const list = result.get(id) ?? [];
    list.push(statement);
    result.set(id, list);
  }
  return result;
}

async function explain(bench: BenchDatabase, pick: string): Promise<string> {
  // In a transaction rolled back, so the FOR UPDATE's locks and nothing else are taken.
  return bench.sql
    .begin(async (tx) => {
      const rows = await tx.unsafe<{ "QUERY PLAN": string }[]>(`explain (analyze, buffers, costs off) ${pick}`);
      throw Object.assign(new Error("rollback"), { plan: rows.map((row) => row["QUERY PLAN"]).join("\n") });
    })
    .then(
      () => "",
      (error: { plan?: string }) => {
        if (error.plan === undefined) throw error;
        return error.plan;
      },
    );
}

const scenario: BenchScenario = { name: NAME, run };
export default scenario;
