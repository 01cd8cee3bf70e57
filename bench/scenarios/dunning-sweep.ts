import os from "node:os";

import postgres from "postgres";

import { runDunningSweep } from "#app/services/dunning/sweep.server";

import { generate } from "../generate";
import { type BenchDatabase, goalAtMost, timed, withBenchDatabase } from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

/*
 * The scheduler's sweep (runDunningSweep: open overdue orders' cases, then advance every due running case) over
 * 1,000,000 running cases whose next step is due (quick: 20,000), and at a quarter and half of that, to show the
 * time per case stays flat. Real work: each step appends its event and queues its reminder or claim in the outbox;
 * the counts are checked afterwards.
 *
 * Beside each size, in the same run, the floor: the same writes per due case done by PostgreSQL alone (floorSweep),
 * on a database generated the same way (same schema, indexes and triggers). The goal is the sweep's time over the
 * floor's, so it holds on any machine. BENCH_SWEEP_SIZES (comma-separated case counts) replaces the three sizes.
 */

const GOAL_S = 60;
const FLOOR_GOAL = 1.5;
const LINEARITY_GOAL = 1.2;
const SHOPS = 10;
const FLOOR_BATCH = 1_000;

/** appCpuUs: CPU of this (the sweep's) Node process per case, in µs — the rest of the time is PostgreSQL's. */
type Run = { size: number; seconds: number; advanced: number; io: SweepIo; appCpuUs: number };

/**
 * What the sweep cost the server, per case: pages read into shared_buffers (from the OS cache or disk) for this
 * database, dirty pages that backends had to write out themselves to free a buffer, and the WAL written — full-page
 * images counted apart. WAL and backend writes are server-wide counters: other databases' work in the same seconds
 * counts too (the machine's load average is in results.json).
 */
type SweepIo = { blocksRead: number; backendWrites: number; walBytes: number; fullPageImages: number };

async function ioCounters(sql: BenchDatabase["sql"], database: string): Promise<SweepIo> {
  const [row] = await sql<{ blocksRead: string; backendWrites: string; walBytes: string; fullPageImages: string }[]>`
    select (select blks_read from pg_stat_database where datname = ${database})::text as "blocksRead",
           (select buffers_backend from pg_stat_bgwriter)::text as "backendWrites",
           (select wal_bytes from pg_stat_wal)::text as "walBytes",
           (select wal_fpi from pg_stat_wal)::text as "fullPageImages"`;
  return {
    blocksRead: Number(row!.blocksRead),
    backendWrites: Number(row!.backendWrites),
    walBytes: Number(row!.walBytes),
    fullPageImages: Number(row!.fullPageImages),
  };
}

function ioNote(io: SweepIo, size: number): string {
  const per = (n: number) => (n / size).toFixed(1);
  return `per case: ${per(io.blocksRead)} pages read, ${per(io.backendWrites)} written out by backends, ${(io.walBytes / size / 1024).toFixed(1)} KB WAL (${per(io.fullPageImages)} full-page images)`;
}

/** The day's noon UTC: inside every shop's send window (08:00–20:00 Berlin), so nothing is held back for it. */
function sweepNow(): Date {
  return new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`);
}

/**
 * The floor: the sweep's writes for every due case, by PostgreSQL alone — one statement per batch of FLOOR_BATCH that
 * claims due cases in the sweep's order from a keyset position (SKIP LOCKED), updates each case as a step does
 * (level, next action, status and state; the schedule trigger follows), appends one event and queues the step's
 * outbox rows (the reminder, or the claim and the write-back of a handover), and commits. No Node work, one round trip.
 */
const FLOOR_STATEMENT = `
  with due as (
    select c.id, c.shop_id, c.dunning_level, s.next_action_at as at
    from case_schedule s join cases c on c.id = s.case_id
    where s.next_action_at <= $1::timestamptz and c.status = 'running'
      and (s.next_action_at, s.case_id) > ($2::timestamptz, $3::uuid)
    order by s.next_action_at, s.case_id
    limit ${FLOOR_BATCH}
    for update of c skip locked
  ), step as (
    select id, shop_id, at, case dunning_level when 'reminder_1' then 'reminder_2' when 'reminder_2' then 'final_reminder'
                          when 'final_reminder' then null else 'reminder_1' end as level
    from due
  ), updated as (
    update cases c
    set status = case when s.level is null then 'handed_over' else c.status end,
        dunning_level = coalesce(s.level, c.dunning_level),
        next_action_at = case when s.level is not null then $1::timestamptz + interval '14 days' end,
        state = c.state || jsonb_build_object(
          'status', case when s.level is null then 'handed_over' else 'running' end,
          'dunningLevel', coalesce(s.level, c.dunning_level),
          'nextActionAt', case when s.level is not null then to_jsonb($1::timestamptz + interval '14 days') end,
          'handedOverAt', case when s.level is null then to_jsonb($1::timestamptz) end,
          'appliedSourceIds', c.state->'appliedSourceIds' || to_jsonb('step:' || c.id || ':' || coalesce(c.dunning_level, 'due'))),
        version = c.version + 1,
        updated_at = now()
    from step s
    where c.id = s.id
    returning c.id, c.shop_id, c.version, c.dunning_level as previous, s.level
  ), events as (
    insert into case_events (shop_id, case_id, seq, type, actor_type, actor_id, data, source_id, occurred_at)
    select shop_id, id, version,
           case when level is null then 'handed_over' else 'dunning_level_reached' end, 'scheduler', 'dunning',
           case when level is null then jsonb_build_object('partnerReference', null)
                else jsonb_build_object('level', level, 'nextActionAt', $1::timestamptz + interval '14 days',
                       'paymentDeadline', ($1::timestamptz + interval '10 days')::date, 'fee', null) end,
           'step:' || id || ':' || case when level is null then 'handover' else coalesce(previous, 'due') end, $1::timestamptz
    from updated
  ), queued as (
    insert into outbox (shop_id, case_id, kind, idempotency_key, payload, next_attempt_at)
    select u.shop_id, u.id, q.kind, q.key, q.payload, $1::timestamptz
    from updated u cross join lateral (
      select 'reminder.send', 'reminder:' || u.id || ':' || u.level, jsonb_build_object('caseId', u.id, 'level', u.level)
      where u.level is not null
      union all
      select 'partner.submit_claim', 'claim:' || u.id, jsonb_build_object('caseId', u.id) where u.level is null
      union all
      select 'shopify.write_back', 'writeback:' || u.id || ':' || u.version,
             jsonb_build_object('caseId', u.id, 'status', 'handed_over', 'markPaid', false) where u.level is null
    ) as q(kind, key, payload)
    on conflict do nothing
  )
  select (select count(*)::int from updated) as n,
         (select at from due order by at desc, id desc limit 1) as "lastAt",
         (select id from due order by at desc, id desc limit 1) as "lastId"`;

/** The floor on a connection of its own, closed at the end so that its statistics reach the server at once. */
async function floorSweep(url: string, now: Date): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    let done = 0;
    let at = "1970-01-01T00:00:00.000Z";
    let id = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const [row] = await sql.unsafe<{ n: number; lastAt: Date | null; lastId: string | null }[]>(FLOOR_STATEMENT, [
        now.toISOString(),
        at,
        id,
      ]);
      done += row!.n;
      if (!row!.lastAt || row!.n < FLOOR_BATCH) return done;
      at = row!.lastAt.toISOString();
      id = row!.lastId!;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

type Kind = "sweep" | "floor";

async function runOnce(ctx: BenchContext, size: number, kind: Kind): Promise<Run> {
  return withBenchDatabase(ctx, `dunning_${kind}_${size}`, async ({ database, sql, name, url }) => {
    const now = sweepNow();
    await generate(
      sql,
      { mix: "sweep", now, events: true, groups: [{ shops: SHOPS, casesPerShop: size / SHOPS }] },
      ctx.log,
    );
    const [before] = await sql<{ events: number; handovers: number }[]>`
      select (select count(*)::int from case_events) as events,
             (select count(*)::int from cases where dunning_level = 'final_reminder') as handovers`;
    // A checkpoint first, so that every run starts from clean buffers and a fresh full-page-image cycle (superuser or
    // pg_checkpoint only; without it the run starts from whatever the buffers hold).
    await sql`checkpoint`.catch((error: unknown) =>
      ctx.log(`no checkpoint before the sweep: ${error instanceof Error ? error.message : String(error)}`),
    );
    const ioBefore = await ioCounters(sql, name);
    const cpuBefore = process.cpuUsage();
    const { ms, result } = await timed(async () =>
      kind === "sweep" ? (await runDunningSweep(database.db, now)).advanced : await floorSweep(url, now),
    );
    const cpu = process.cpuUsage(cpuBefore);
    const appCpuUs = (cpu.user + cpu.system) / size;
    // A backend flushes its statistics at most once a second, an idle one only after 10 s, and every one as it exits
    // (PostgreSQL 15): the run's connections are closed (the floor closed its own), then their exits waited for.
    if (kind === "sweep") await database.close();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ioAfter = await ioCounters(sql, name);
    const io: SweepIo = {
      blocksRead: ioAfter.blocksRead - ioBefore.blocksRead,
      backendWrites: ioAfter.backendWrites - ioBefore.backendWrites,
      walBytes: ioAfter.walBytes - ioBefore.walBytes,
      fullPageImages: ioAfter.fullPageImages - ioBefore.fullPageImages,
    };
    const [after] = await sql<{ events: number; reminders: number; claims: number; writeBacks: number; due: number }[]>`
      select (select count(*)::int from case_events) as events,
             (select count(*)::int from outbox where kind = 'reminder.send') as reminders,
             (select count(*)::int from outbox where kind = 'partner.submit_claim') as claims,
             (select count(*)::int from outbox where kind = 'shopify.write_back') as "writeBacks",
             (select count(*)::int from cases where status = 'running' and next_action_at <= ${now.toISOString()}::timestamptz) as due`;
    const expected = {
      advanced: size,
      events: before!.events + size,
      reminders: size - before!.handovers,
      claims: before!.handovers,
      writeBacks: before!.handovers,
      due: 0,
    };
    const actual = {
      advanced: result,
      events: after!.events,
      reminders: after!.reminders,
      claims: after!.claims,
      writeBacks: after!.writeBacks,
      due: after!.due,
    };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(
        `the ${kind} did not do the expected work: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`,
      );
    }
    const seconds = ms / 1000;
    ctx.log(
      `${kind} of ${size.toLocaleString("en")} due cases: ${seconds.toFixed(1)} s, ${((ms * 1000) / size).toFixed(0)} µs per case (Node CPU ${appCpuUs.toFixed(0)} µs); ${ioNote(io, size)}; load average ${os.loadavg()[0]!.toFixed(2)}`,
    );
    return { size, seconds, advanced: result, io, appCpuUs };
  });
}

function sizes(quick: boolean): number[] {
  const listed = process.env.BENCH_SWEEP_SIZES?.split(",")
    .map((value) => Number(value.trim()))
    .filter((value) => Number.isInteger(value) && value > 0);
  // Whole shops: every size is split evenly over SHOPS shops.
  if (listed && listed.length > 0) return listed.map((value) => Math.max(SHOPS, Math.round(value / SHOPS) * SHOPS));
  const full = quick ? 20_000 : 1_000_000;
  return [full / 4, full / 2, full];
}

const scenario: BenchScenario = {
  name: "dunning-sweep",
  async run(ctx) {
    const runs: { sweep: Run; floor: Run }[] = [];
    // The floor first at each size, then the sweep: both after a checkpoint, on databases generated alike.
    for (const size of sizes(ctx.quick))
      runs.push({ floor: await runOnce(ctx, size, "floor"), sweep: await runOnce(ctx, size, "sweep") });
    const perCase = (run: Run) => (run.seconds * 1e6) / run.size;
    const figures: BenchFigure[] = [];
    for (const { sweep, floor } of runs) {
      const size = sweep.size.toLocaleString("en");
      figures.push({
        scenario: "dunning-sweep",
        metric: `floor (one SQL statement per ${FLOOR_BATCH.toLocaleString("en")}), ${size} due cases`,
        value: floor.seconds,
        unit: "s",
        note: `${perCase(floor).toFixed(0)} µs per case; ${ioNote(floor.io, floor.size)}`,
      });
      figures.push({
        scenario: "dunning-sweep",
        metric: `sweep of ${size} due cases`,
        value: sweep.seconds,
        unit: "s",
        note: `${perCase(sweep).toFixed(0)} µs per case, ${sweep.appCpuUs.toFixed(0)} µs of it Node CPU; events and outbox rows checked; ${ioNote(sweep.io, sweep.size)}`,
      });
      figures.push(
        goalAtMost(
          {
            scenario: "dunning-sweep",
            metric: `sweep / floor, ${size} due cases`,
            value: sweep.seconds / floor.seconds,
            unit: "x",
          },
          FLOOR_GOAL,
          `<= ${FLOOR_GOAL}x`,
        ),
      );
    }
    const first = runs[0]!;
    const last = runs[runs.length - 1]!;
    if (last.sweep.size === 1_000_000) {
      const index = figures.findIndex(
        (figure) => figure.metric === `sweep of ${(1_000_000).toLocaleString("en")} due cases`,
      );
      figures[index] = goalAtMost(figures[index]!, GOAL_S, `< ${GOAL_S} s`);
    }
    if (runs.length > 1) {
      const between = `${last.sweep.size.toLocaleString("en")} vs ${first.sweep.size.toLocaleString("en")}`;
      figures.push(
        goalAtMost(
          {
            scenario: "dunning-sweep",
            metric: `sweep time per case, ${between}`,
            value: perCase(last.sweep) / perCase(first.sweep),
            unit: "x",
            note: "1 = linear",
          },
          LINEARITY_GOAL,
          `<= ${LINEARITY_GOAL}x (linear)`,
        ),
        {
          scenario: "dunning-sweep",
          metric: `floor time per case, ${between}`,
          value: perCase(last.floor) / perCase(first.floor),
          unit: "x",
          note: "the server's own growth with size",
        },
      );
    }
    return figures;
  },
};

export default scenario;
