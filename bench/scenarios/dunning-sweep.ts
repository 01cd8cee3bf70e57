import { runDunningSweep } from "#app/services/dunning/sweep.server";

import { generate } from "../generate";
import { type BenchDatabase, goalAtMost, timed, withBenchDatabase } from "../support";
import type { BenchContext, BenchFigure, BenchScenario } from "../types";

/*
 * The scheduler's sweep (runDunningSweep: open overdue orders' cases, then advance every due running case) over
 * 1,000,000 running cases whose next step is due (quick: 20,000), and at a quarter and half of that, to show the
 * time per case stays flat. Real work: each step appends its event and queues its reminder or claim in the outbox;
 * the counts are checked afterwards.
 */

const GOAL_S = 60;
const LINEARITY_GOAL = 1.5;
const SHOPS = 10;

type Run = { size: number; seconds: number; advanced: number; io: SweepIo };

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

async function sweepOnce(ctx: BenchContext, size: number): Promise<Run> {
  return withBenchDatabase(ctx, `dunning_sweep_${size}`, async ({ database, sql, name }) => {
    // Midday UTC is inside every shop's send window (08:00–20:00 Berlin): nothing is held back for the window.
    const now = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`);
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
    const { ms, result } = await timed(() => runDunningSweep(database.db, now));
    // A backend flushes its statistics at a transaction's end at most once a second, and an idle one after 10 s
    // (PostgreSQL 15): wait for the sweep's pool connections to have reported everything.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
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
      advanced: result.advanced,
      events: after!.events,
      reminders: after!.reminders,
      claims: after!.claims,
      writeBacks: after!.writeBacks,
      due: after!.due,
    };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(
        `the sweep did not do the expected work: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`,
      );
    }
    const seconds = ms / 1000;
    ctx.log(
      `sweep of ${size.toLocaleString("en")} due cases: ${seconds.toFixed(1)} s, ${((ms * 1000) / size).toFixed(0)} µs per case; ${ioNote(io, size)}`,
    );
    return { size, seconds, advanced: result.advanced, io };
  });
}

const scenario: BenchScenario = {
  name: "dunning-sweep",
  async run(ctx) {
    const full = ctx.quick ? 20_000 : 1_000_000;
    const runs: Run[] = [];
    for (const size of [full / 4, full / 2, full]) runs.push(await sweepOnce(ctx, size));
    const perCase = (run: Run) => (run.seconds * 1e6) / run.size;
    const figures: BenchFigure[] = runs.map((run) => ({
      scenario: "dunning-sweep",
      metric: `sweep of ${run.size.toLocaleString("en")} due cases`,
      value: run.seconds,
      unit: "s",
      note: `${perCase(run).toFixed(0)} µs per case; events and outbox rows checked; ${ioNote(run.io, run.size)}`,
    }));
    const last = runs[runs.length - 1]!;
    figures[figures.length - 1] = goalAtMost(figures[figures.length - 1]!, GOAL_S, `< ${GOAL_S} s`);
    figures.push(
      goalAtMost(
        {
          scenario: "dunning-sweep",
          metric: `time per case, ${last.size.toLocaleString("en")} vs ${runs[0]!.size.toLocaleString("en")}`,
          value: perCase(last) / perCase(runs[0]!),
          unit: "x",
          note: "1 = linear",
        },
        LINEARITY_GOAL,
        `<= ${LINEARITY_GOAL}x (linear)`,
      ),
    );
    return figures;
  },
};

export default scenario;
