import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { drizzle } from "drizzle-orm/postgres-js";
import type postgres from "postgres";

import type { Db } from "#app/db/client.server";
import * as schema from "#app/db/schema";
import { TENANT_ROLE, tenantScope } from "#app/db/tenant.server";
import { CASE_STATUSES } from "#app/domain/case/status";
import {
  type CaseListQuery,
  caseListQuerySchema,
  countCasesByStatus,
  listCases,
  type ListContext,
} from "#app/services/cases/list.server";

import { generate, type GenerateSpec, listSpec } from "../generate";
import { goalAtMost, summarize, timed, withBenchDatabase } from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

/*
 * The collections tab's list over the big shop (1,000,000 of 10,000,000 cases; quick: 20,000 of 100,000): every
 * filter and every sort, the first page and a page deep in the order, and the status counts of the tab badges.
 * The real service functions run through drizzle on postgres.js inside the tenant scope (its own transaction as the
 * row-level-security role, app/db/tenant.server.ts), exactly as the tab's loader runs them.
 */

const LIST_GOAL_MS = 30;
const COUNT_GOAL_MS = 50;
/** "200 pages deep": the deep page starts after the row at this position (reached through its keyset cursor). */
const DEEP_ROWS = 200 * 50;

type Shape = { name: string; query: Partial<CaseListQuery> };

/** A custom range a year back, a month long: calendar dates in the shop's zone. */
function monthAYearAgo(now: Date): { from: string; to: string } {
  const from = new Date(now.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(now.getTime() - 335 * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

function shapes(now: Date): Shape[] {
  const sorts: Shape[] = (["created", "due", "amount", "status"] as const).flatMap((sort) =>
    (["desc", "asc"] as const).map((direction) => ({ name: `sort ${sort} ${direction}`, query: { sort, direction } })),
  );
  const tabs: Shape[] = CASE_STATUSES.map((status) => ({ name: `tab ${status}`, query: { status } }));
  const filters: Shape[] = [
    { name: "period 7 days", query: { period: "7" } },
    { name: "period 30 days", query: { period: "30" } },
    { name: "period 90 days", query: { period: "90" } },
    { name: "custom range (a month, a year ago)", query: monthAYearAgo(now) },
    { name: "amount from 500 EUR", query: { minAmount: 50_000 } },
    { name: "amount up to 10 EUR", query: { maxAmount: 1_000 } },
    { name: "amount 100-101 EUR", query: { minAmount: 10_000, maxAmount: 10_100 } },
    { name: "order number #12345", query: { q: "#12345" } },
    { name: "order number 4711 (no #)", query: { q: "4711" } },
    { name: "customer Müller (common)", query: { q: "Müller" } },
    { name: "customer Hub (rare prefix)", query: { q: "Hub" } },
  ];
  // The status sort and the other sorts inside a tab, and a few filters combined, as people click through the tab.
  const combined: Shape[] = [
    { name: "tab running, sort due asc", query: { status: "running", sort: "due", direction: "asc" } },
    { name: "tab blocked, sort amount desc", query: { status: "blocked", sort: "amount", direction: "desc" } },
    { name: "tab handed_over, sort status asc", query: { status: "handed_over", sort: "status", direction: "asc" } },
    {
      name: "tab paid, period 90 days, sort amount asc",
      query: { status: "paid", period: "90", sort: "amount", direction: "asc" },
    },
    { name: "period 30 days, sort due desc", query: { period: "30", sort: "due", direction: "desc" } },
    { name: "amount from 500 EUR, sort status desc", query: { minAmount: 50_000, sort: "status", direction: "desc" } },
    { name: "customer Müller, sort amount desc", query: { q: "Müller", sort: "amount", direction: "desc" } },
    { name: "tab running, customer Schmidt", query: { status: "running", q: "Schmidt" } },
  ];
  return [...sorts, ...tabs, ...filters, ...combined];
}

const scenario: BenchScenario = {
  name: "case-list",
  run: (ctx) => runCaseList(ctx, listSpec(ctx.quick, new Date())),
};

/** The scenario on a given data set (the listed shop is the first shop of the first group). */
export async function runCaseList(ctx: BenchContext, spec: GenerateSpec): Promise<BenchFigure[]> {
  return withBenchDatabase(ctx, "case_list", async ({ database, sql: raw }) => {
    const now = spec.now;
    const generated = await generate(raw, spec, ctx.log);
    const shopId = generated.shopIds[0]![0]!;
    const db = database.db;
    const tenant = tenantScope(db, shopId);
    const context: ListContext = { timeZone: "Europe/Berlin", now };
    const iterations = ctx.quick ? 15 : 30;
    const figures: BenchFigure[] = [
      {
        scenario: "case-list",
        metric: "generate data",
        value: generated.seconds,
        unit: "s",
        note: `${generated.cases.toLocaleString("en")} cases, ${spec.groups[0]!.casesPerShop.toLocaleString("en")} in the listed shop`,
      },
    ];

    const measure = async (run: () => Promise<unknown>) => {
      for (let i = 0; i < 3; i++) await run(); // warm: plans cached, pages in shared buffers, as in a live tab
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push((await timed(run)).ms);
      return summarize(samples);
    };

    for (const shape of shapes(now)) {
      const query = caseListQuerySchema.parse(shape.query);
      const first = await measure(() => tenant((tx) => listCases(tx, shopId, query, context)));
      const page = await listCases(db, shopId, query, context);
      figures.push(
        goalAtMost(
          {
            scenario: "case-list",
            metric: `${shape.name}: first page p95`,
            value: first.p95,
            unit: "ms",
            note: `p50 ${first.p50.toFixed(1)} ms, ${page.cases.length} rows`,
          },
          LIST_GOAL_MS,
          `< ${LIST_GOAL_MS} ms`,
        ),
      );
      const cursor = await deepCursor(db, shopId, query, context);
      if (!cursor) continue; // fewer rows than the deep position: the first page already is the whole list
      const deep = await measure(() => tenant((tx) => listCases(tx, shopId, { ...query, cursor }, context)));
      figures.push(
        goalAtMost(
          {
            scenario: "case-list",
            metric: `${shape.name}: page 200 p95`,
            value: deep.p95,
            unit: "ms",
            note: `p50 ${deep.p50.toFixed(1)} ms`,
          },
          LIST_GOAL_MS,
          `< ${LIST_GOAL_MS} ms`,
        ),
      );
    }

    const countShapes: Shape[] = [
      { name: "no filter", query: {} },
      { name: "period 30 days", query: { period: "30" } },
      { name: "custom range", query: monthAYearAgo(now) },
      { name: "amount from 500 EUR", query: { minAmount: 50_000 } },
      { name: "customer Müller", query: { q: "Müller" } },
      { name: "customer Hub (rare prefix)", query: { q: "Hub" } },
      { name: "order number #12345", query: { q: "#12345" } },
      { name: "period 90 days + amount from 500 EUR", query: { period: "90", minAmount: 50_000 } },
    ];
    for (const shape of countShapes) {
      const query = caseListQuerySchema.parse(shape.query);
      const counts = await measure(() => tenant((tx) => countCasesByStatus(tx, shopId, query, context)));
      const result = await countCasesByStatus(db, shopId, query, context);
      const shown = `${result.all.toLocaleString("en")}${result.capped.length > 0 ? `+ (capped: ${result.capped.join(", ")})` : ""}`;
      figures.push(
        goalAtMost(
          {
            scenario: "case-list",
            metric: `status counts, ${shape.name} p95`,
            value: counts.p95,
            unit: "ms",
            note: `p50 ${counts.p50.toFixed(1)} ms, ${shown} cases`,
          },
          COUNT_GOAL_MS,
          `< ${COUNT_GOAL_MS} ms`,
        ),
      );
    }
    figures.push(...(await countTriggerCost(raw, shopId, ctx.quick ? 7 : 11)));
    await writePlans(raw, shopId, context);
    return figures;
  });
}

const TRIGGER_ROWS = 5_000;

/**
 * What case_status_counts' statement triggers cost a sweep-sized UPDATE: 5,000 cases of the big shop in one
 * statement, changing status and state (as a dunning step does) or leaving the status alone, in a rolled-back
 * transaction. Two figures per statement, each a median over rounds that alternate triggers on and off
 * (ALTER TABLE … DISABLE TRIGGER inside the transaction): the trigger's own time as EXPLAIN ANALYZE reports it, and
 * the statement's whole execution time with and without (which adds capturing the transition tables).
 */
async function countTriggerCost(raw: postgres.Sql, shopId: string, rounds: number): Promise<BenchFigure[]> {
  const ids = (
    await raw<{ id: string }[]>`select id from cases where shop_id = ${shopId} order by id limit ${TRIGGER_ROWS}`
  ).map((r) => r.id);
  const statements = {
    "status and state change": `update cases set status = case when status = 'paid' then 'closed' else 'paid' end,
      state = jsonb_set(state, '{status}', to_jsonb(case when status = 'paid' then 'closed' else 'paid' end)), next_action_at = now(), updated_at = now()
      where id = any($1::uuid[])`,
    "status unchanged": `update cases set next_action_at = now(), updated_at = now() where id = any($1::uuid[])`,
  };
  type Plan = { "Execution Time": number; Triggers?: { "Trigger Name": string; Time: number }[] };
  const once = async (statement: string, triggers: boolean): Promise<{ total: number; trigger: number }> => {
    let plan: Plan | undefined;
    await raw
      .begin(async (tx) => {
        // generate() leaves its pooled sessions in replica mode, where ordinary triggers do not fire.
        await tx.unsafe(`set local session_replication_role = origin`);
        if (!triggers) await tx.unsafe(`alter table cases disable trigger cases_status_counts_update`);
        const [row] = await tx.unsafe(`explain (analyze, format json) ${statement}`, [ids]);
        plan = (row!["QUERY PLAN"] as Plan[])[0];
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    const trigger = plan?.Triggers?.find((t) => t["Trigger Name"] === "cases_status_counts_update")?.Time ?? 0;
    return { total: plan?.["Execution Time"] ?? 0, trigger };
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const figures: BenchFigure[] = [];
  for (const [name, statement] of Object.entries(statements)) {
    await once(statement, true); // warm
    const on: { total: number; trigger: number }[] = [];
    const off: number[] = [];
    for (let i = 0; i < rounds; i++) {
      on.push(await once(statement, true));
      off.push((await once(statement, false)).total);
    }
    const trigger = median(on.map((r) => r.trigger));
    const withTriggers = median(on.map((r) => r.total));
    const without = median(off);
    figures.push({
      scenario: "case-list",
      metric: `count trigger on a ${TRIGGER_ROWS.toLocaleString("en")}-row UPDATE (${name})`,
      value: trigger,
      unit: "ms",
      note: `${((trigger * 1000) / TRIGGER_ROWS).toFixed(2)} µs per case; statement ${withTriggers.toFixed(0)} ms with, ${without.toFixed(0)} ms without (${rounds} rounds)`,
    });
  }
  return figures;
}

class RolledBack extends Error {}

/** The query shapes whose plans docs/performance.md keeps. */
const PLANNED: Shape[] = [
  { name: "first page, sort created desc", query: {} },
  { name: "page 200, sort due asc", query: { sort: "due", direction: "asc" } },
  { name: "page 200, sort status desc", query: { sort: "status", direction: "desc" } },
  { name: "tab running, sort amount desc", query: { status: "running", sort: "amount", direction: "desc" } },
  { name: "search: order number #12345", query: { q: "#12345" } },
  { name: "search: customer Müller", query: { q: "Müller" } },
  { name: "period 30 days, sort due desc", query: { period: "30", sort: "due", direction: "desc" } },
];

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the service's own SQL (captured with a drizzle logger), run as the tenant role
 * under row-level security like the tab, into bench/results/case-list-plans.md.
 */
async function writePlans(raw: postgres.Sql, shopId: string, context: ListContext): Promise<void> {
  let captured: { query: string; params: unknown[] }[] = [];
  const capturing = drizzle(raw, {
    schema,
    logger: { logQuery: (query, params) => captured.push({ query, params }) },
  }) as unknown as Db;
  // Every statement the call runs (a filtered count runs two when its filter matches many cases), each explained.
  const explain = async (run: (db: Db) => Promise<unknown>) => {
    captured = [];
    await run(capturing);
    const statements = captured;
    return raw.begin(async (tx) => {
      await tx`select set_config('mahnwerk.shop_id', ${shopId}, true), set_config('role', ${TENANT_ROLE}, true)`;
      const explained: { query: string; plan: string }[] = [];
      for (const { query, params } of statements) {
        const rows = await tx.unsafe(
          `explain (analyze, buffers) ${query}`,
          params as postgres.ParameterOrJSON<never>[],
        );
        explained.push({ query, plan: rows.map((r) => String(r["QUERY PLAN"])).join("\n") });
      }
      return { query: explained.map((e) => e.query).join(";\n\n"), plan: explained.map((e) => e.plan).join("\n\n") };
    });
  };
  const [size] = await raw<{ listed: number; total: number }[]>`
    select (select count(*)::int from cases where shop_id = ${shopId}) as listed, (select count(*)::int from cases) as total`;
  const sections: string[] = [
    `Plans on ${size!.listed.toLocaleString("en")} cases in one shop among ${size!.total.toLocaleString("en")}, as the tenant role (RLS on).`,
    "",
  ];
  for (const shape of PLANNED) {
    const query = caseListQuerySchema.parse(shape.query);
    const cursor = shape.name.startsWith("page 200") ? await deepCursor(capturing, shopId, query, context) : null;
    const { query: text, plan } = await explain((db) =>
      listCases(db, shopId, { ...query, cursor: cursor ?? undefined }, context),
    );
    sections.push(`### ${shape.name}`, "", "```sql", text, "```", "", "```", plan, "```", "");
  }
  for (const shape of [
    { name: "status counts, no filter", query: {} },
    { name: "status counts, customer Müller", query: { q: "Müller" } },
    { name: "status counts, period 30 days", query: { period: "30" } },
    { name: "status counts, customer Hub (rare prefix)", query: { q: "Hub" } },
    { name: "status counts, period 90 days + amount from 500 EUR", query: { period: "90", minAmount: 50_000 } },
    { name: "status counts, order number #12345", query: { q: "#12345" } },
  ]) {
    const { query: text, plan } = await explain((db) =>
      countCasesByStatus(db, shopId, caseListQuerySchema.parse(shape.query), context),
    );
    sections.push(`### ${shape.name}`, "", "```sql", text, "```", "", "```", plan, "```", "");
  }
  const file = path.resolve(process.cwd(), "bench/results/case-list-plans.md");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, sections.join("\n"));
}

export default scenario;

/**
 * The cursor 200 pages of 50 into the list's order, reached by following the service's own keyset cursors (250 rows
 * at a time, outside the measurement); null when the list is shorter than that.
 */
async function deepCursor(
  db: Parameters<typeof listCases>[0],
  shopId: string,
  query: CaseListQuery,
  context: ListContext,
): Promise<string | null> {
  let cursor: string | undefined;
  for (let seen = 0; seen < DEEP_ROWS;) {
    const page = await listCases(db, shopId, { ...query, cursor, limit: Math.min(250, DEEP_ROWS - seen) }, context);
    seen += page.cases.length;
    if (!page.nextCursor) return null;
    cursor = page.nextCursor;
  }
  return cursor ?? null;
}
