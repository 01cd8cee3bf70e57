import type postgres from "postgres";

/*
 * Bench data, generated inside PostgreSQL (generate_series, INSERT … SELECT): ten million rows never pass through
 * Node. Every row is a plausible one: an invoice order and its case, the case's `state` (the domain projection the
 * sweep and the commands read) built from the same values as its indexed columns, so the real services can run on it.
 */

export type ShopGroup = {
  /** How many shops of this kind. */
  shops: number;
  /** Orders (each with one case) per shop. */
  casesPerShop: number;
};

export type GenerateSpec = {
  groups: ShopGroup[];
  /**
   * "list": the lifecycle mix of a shop after two years (mostly paid or closed, the recent ones open);
   * "sweep": every case running with its next step due at `now`.
   */
  mix: "list" | "sweep";
  /** The instant the data is anchored at (cases are created in the two years before it). */
  now: Date;
  /** Also write each case's events (opened, started, levels reached): the sweep appends to them. */
  events?: boolean;
};

export type Generated = { shopIds: string[][]; cases: number; seconds: number };

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
  "Laura",
  "Ben",
  "Julia",
  "Finn",
  "Lea",
  "Tim",
  "Sarah",
  "Max",
  "Lisa",
  "Jan",
  "Clara",
  "David",
  "Nina",
  "Tom",
  "Eva",
  "Moritz",
  "Katharina",
  "Stefan",
  "Sabine",
  "Thomas",
  "Petra",
  "Michael",
  "Andrea",
  "Peter",
  "Claudia",
  "Frank",
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
  "Bauer",
  "Richter",
  "Klein",
  "Wolf",
  "Schröder",
  "Neumann",
  "Schwarz",
  "Zimmermann",
  "Braun",
  "Krüger",
  "Hofmann",
  "Hartmann",
  "Lange",
  "Schmitt",
  "Werner",
  "Schmitz",
  "Krause",
  "Meier",
  "Lehmann",
  "Schmid",
  "Schulze",
  "Maier",
  "Köhler",
  "Herrmann",
  "König",
  "Walter",
  "Mayer",
  "Huber",
];
const CITIES = [
  "Berlin",
  "Hamburg",
  "München",
  "Köln",
  "Frankfurt am Main",
  "Stuttgart",
  "Düsseldorf",
  "Leipzig",
  "Dortmund",
  "Essen",
];

/** Rows per INSERT statement: big enough to be fast, small enough to keep each transaction's footprint modest. */
const CHUNK = 250_000;

const sqlArray = (values: string[]) => `(array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}]::text[])`;

/**
 * The per-row values, drawn once (the CTE is materialised) and used by both the order and the case, so they agree.
 * Skewed picks (`random()^2`) give names and amounts the long tail real shops have.
 */
function rowsSql(mix: GenerateSpec["mix"]): string {
  const age = mix === "sweep" ? "3 + random() * 60" : "1 + random() * 729";
  // The sweep's cases have the ids the app gives them since issue 25: UUIDv7 of the moment the case was opened (48 bits
  // of milliseconds, version 7, the rest random), written in that order as the app appends them, so the sweep's id
  // order is their age and their place in the table. The list keeps random ids in random order.
  const caseId =
    mix === "sweep"
      ? `encode(set_byte(overlay(uuid_send(x.random_id) placing substring(int8send((extract(epoch from
           date_trunc('milliseconds', $now::timestamptz - make_interval(secs => x.age * 86400))) * 1000)::bigint) from 3 for 6)
           from 1 for 6), 6, 112 + floor(random() * 16)::int), 'hex')::uuid`
      : "x.random_id";
  // Status by age: recent cases wait or run, old ones are mostly settled (paid, closed, cancelled) or with the partner.
  const status =
    mix === "sweep"
      ? `'running'`
      : `case
          when age < 21 then case when u < 0.45 then 'waiting_for_approval' when u < 0.93 then 'running' else 'blocked' end
          when age < 60 then case when u < 0.10 then 'waiting_for_approval' when u < 0.42 then 'running' when u < 0.57 then 'handed_over'
                                   when u < 0.62 then 'blocked' when u < 0.92 then 'paid' else 'closed' end
          else case when u < 0.03 then 'running' when u < 0.15 then 'handed_over' when u < 0.18 then 'blocked' when u < 0.23 then 'failed'
                    when u < 0.65 then 'paid' when u < 0.82 then 'closed' else 'cancelled' end
        end`;
  return `
    select g.*, (g.ordered_at + interval '14 days')::date as due_date,
           case when g.status in ('waiting_for_approval', 'closed') then null
                when g.status in ('handed_over', 'failed') then 'final_reminder'
                else (array[null, 'reminder_1', 'reminder_2', 'final_reminder'])[1 + floor(g.lv * 4)::int] end as dunning_level,
           case when g.status = 'paid' then 0
                when g.status in ('running', 'handed_over', 'blocked', 'failed') and g.pp < 0.15 then greatest(1, floor(g.total_minor * g.pp / 0.15))::bigint
                else g.total_minor end as outstanding_minor
    from (
      select x.*, ${status} as status, ${caseId} as case_id,
             date_trunc('milliseconds', $now::timestamptz - make_interval(secs => x.age * 86400)) as created_at,
             date_trunc('milliseconds', $now::timestamptz - make_interval(secs => x.age * 86400)) - interval '15 days' as ordered_at
      from (
        select s.shop_id, s.shop_no, n, gen_random_uuid() as order_id, gen_random_uuid() as random_id, ${age} as age,
               (500 * exp(random() * ln(400)))::bigint as total_minor,
               ${sqlArray(FIRST_NAMES)}[1 + floor(${FIRST_NAMES.length} * random() ^ 2)::int] as first_name,
               ${sqlArray(LAST_NAMES)}[1 + floor(${LAST_NAMES.length} * random() ^ 2)::int] as last_name,
               ${sqlArray(CITIES)}[1 + floor(${CITIES.length} * random())::int] as city,
               random() as u, random() as lv, random() as pp, random() as due_in
        from unnest($shops::uuid[]) with ordinality as s(shop_id, shop_no)
        cross join generate_series($from::int, $to::int) as n
      ) x
    ) g`;
}

/** Columns of the case derived from the drawn values: when it started, what is next, who holds it. */
function caseValuesSql(mix: GenerateSpec["mix"]): string {
  const nextAction =
    mix === "sweep"
      ? `date_trunc('milliseconds', $now::timestamptz - make_interval(secs => r.due_in * 3 * 86400))`
      : `date_trunc('milliseconds', $now::timestamptz + make_interval(secs => r.due_in * 10 * 86400))`;
  return `
    select r.*,
           case when r.status = 'running' then ${nextAction} end as next_action_at,
           case when r.status not in ('waiting_for_approval', 'closed') then r.created_at + interval '1 day' end as started_at,
           case when r.status = 'handed_over' or (r.status in ('paid', 'cancelled') and r.dunning_level = 'final_reminder')
                then r.created_at + interval '30 days' end as handed_over_at,
           case when r.status in ('paid', 'cancelled', 'closed') then r.created_at + interval '40 days' end as closed_at,
           case when r.status = 'handed_over' then 'SBX-' || r.shop_no || '-' || r.n end as partner_reference,
           case when r.status = 'handed_over' then (array['received', 'contacted', 'payment_plan', 'disputed'])[1 + floor(r.pp * 4)::int] end
             as partner_sub_status
    from rows r`;
}

const stateSql = `jsonb_build_object(
    'id', c.case_id, 'shopId', c.shop_id, 'orderId', c.order_id, 'kind', 'invoice', 'status', c.status,
    'original', jsonb_build_object('amountMinor', c.total_minor, 'currency', 'EUR'),
    'outstanding', jsonb_build_object('amountMinor', c.outstanding_minor, 'currency', 'EUR'),
    'overpayment', null, 'dueDate', c.due_date, 'dunningLevel', c.dunning_level,
    'nextActionAt', ${isoSql("c.next_action_at")},
    'partnerReference', c.partner_reference, 'partnerSubStatus', c.partner_sub_status,
    'resumeStatus', case when c.status = 'blocked' then 'running' end,
    'blockReasons', case when c.status = 'blocked' then '["address_missing"]'::jsonb else '[]'::jsonb end,
    'failureReasons', case when c.status = 'failed' then '["partner_uncollectible"]'::jsonb else '[]'::jsonb end,
    'cancellationRequested', false,
    'openedAt', ${isoSql("c.created_at")}, 'startedAt', ${isoSql("c.started_at")},
    'handedOverAt', ${isoSql("c.handed_over_at")}, 'closedAt', ${isoSql("c.closed_at")},
    'factClock', '{}'::jsonb, 'appliedSourceIds', jsonb_build_array('overdue:' || c.order_id))`;

/**
 * A timestamp as JSON text in UTC ("2026-10-06T06:00:00.142+00:00"), which caseFromJson reads back as that instant;
 * the generated instants are whole milliseconds, as the app's (JavaScript) ones are.
 */
function isoSql(column: string): string {
  return `to_jsonb(${column})`;
}

export function insertSql(mix: GenerateSpec["mix"], events: boolean): string {
  const eventsSql = events
    ? `, opened as (
        insert into case_events (shop_id, case_id, seq, type, actor_type, actor_id, data, source_id, occurred_at)
        select shop_id, case_id, 1, 'case_opened', 'scheduler', 'dunning',
               jsonb_build_object('caseId', case_id, 'shopId', shop_id, 'orderId', order_id, 'kind', 'invoice',
                 'original', jsonb_build_object('amountMinor', total_minor, 'currency', 'EUR'),
                 'outstanding', jsonb_build_object('amountMinor', total_minor, 'currency', 'EUR'), 'dueDate', due_date),
               'overdue:' || order_id, created_at
        from c
      ), started as (
        insert into case_events (shop_id, case_id, seq, type, actor_type, actor_id, reason, data, occurred_at)
        select shop_id, case_id, 2, 'case_started', 'staff', 'bench', 'Bench', jsonb_build_object('automatic', false, 'nextActionAt', null), started_at
        from c where started_at is not null
      )`
    : "";
  return `
    with rows as materialized (${rowsSql(mix)}),
    c as materialized (${caseValuesSql(mix)}),
    o as (
      insert into orders (id, shop_id, platform_order_id, name, currency, total_minor, outstanding_minor, financial_status,
                          payment_methods, is_invoice, ordered_at, due_date, platform_updated_at, customer, billing_address,
                          created_at, updated_at)
      select order_id, shop_id, (5000000000000 + n)::text, '#' || (1000 + n), 'EUR', total_minor, outstanding_minor,
             case when status = 'paid' then 'paid' when outstanding_minor < total_minor then 'partially_paid' else 'pending' end,
             '["Rechnung"]'::jsonb, true, ordered_at, due_date, created_at, 
             jsonb_build_object('platformCustomerId', (7000000000 + n)::text, 'firstName', first_name, 'lastName', last_name,
               'company', null, 'email', lower(first_name) || '.' || n || '@example.de', 'phone', null, 'locale', 'de'),
             jsonb_build_object('name', first_name || ' ' || last_name, 'company', null, 'street1', 'Hauptstraße ' || (1 + n % 200),
               'street2', null, 'postalCode', lpad((10000 + n % 89999)::text, 5, '0'), 'city', city, 'countryCode', 'DE'),
             ordered_at, created_at
      from c
    )${eventsSql}
    insert into cases (id, shop_id, order_id, kind, status, currency, original_minor, outstanding_minor, due_date, dunning_level,
                       next_action_at, partner_reference, partner_sub_status, cancellation_requested, platform_order_id,
                       order_name, customer_first_name, customer_last_name, state, version, created_at, updated_at)
    select case_id, shop_id, order_id, 'invoice', status, 'EUR', total_minor, outstanding_minor, due_date, dunning_level,
           next_action_at, partner_reference, partner_sub_status, false, (5000000000000 + n)::text,
           '#' || (1000 + n), first_name, last_name, ${stateSql}, ${events ? 2 : 1}, created_at, created_at
    from c${mix === "sweep" ? " order by created_at" : ""}`;
}

/** Named parameters ($now, $shops, $from, $to) become positional ones for postgres.js. */
function bind(text: string, values: Record<string, unknown>): { text: string; params: unknown[] } {
  const names = Object.keys(values);
  const bound = text.replace(/\$(now|shops|from|to)\b/g, (_, name: string) => `$${names.indexOf(name) + 1}`);
  return { text: bound, params: names.map((n) => values[n]) };
}

/**
 * Fills the (migrated, empty) database at `sql`. Secondary indexes of orders and cases are dropped for the load
 * and rebuilt afterwards (one sort per index instead of ten million random inserts), foreign keys are not checked
 * row by row (the rows are made consistent here), case_status_counts and case_schedule are rebuilt (their triggers
 * were off too), then VACUUM ANALYZE leaves statistics and the visibility map as autovacuum would on a live database.
 */
export async function generate(
  sql: postgres.Sql,
  spec: GenerateSpec,
  log: (message: string) => void = () => {},
): Promise<Generated> {
  const started = performance.now();
  const total = spec.groups.reduce((sum, g) => sum + g.shops * g.casesPerShop, 0);
  const session = `set timezone = 'UTC'; set synchronous_commit = off; set maintenance_work_mem = '512MB'; set work_mem = '64MB';
    set session_replication_role = replica`; // replica: no foreign-key triggers (superuser; the bench owns its database)
  const indexes = await sql<{ name: string; definition: string }[]>`
    select indexname as name, indexdef as definition from pg_indexes
    where schemaname = 'public' and tablename in ('orders', 'cases', 'case_events') and indexname not like '%_pkey'`;
  for (const index of indexes) await sql.unsafe(`drop index "${index.name}"`);

  const shopIds: string[][] = [];
  const chunks: { shops: string[]; from: number; to: number }[] = [];
  let shopNo = 0;
  for (const group of spec.groups) {
    const ids = await sql<{ id: string }[]>`
      insert into shops (platform, domain, name, timezone, currency, locale)
      select 'shopify', 'bench-' || (${shopNo}::int + i) || '.myshopify.com', 'Bench-Shop ' || (${shopNo}::int + i), 'Europe/Berlin', 'EUR', 'de'
      from generate_series(1, ${group.shops}::int) as i
      returning id`;
    shopNo += group.shops;
    shopIds.push(ids.map((r) => r.id));
    // Chunks: whole shops of many small ones, or slices of one big one.
    const shopsPerChunk = Math.max(1, Math.floor(CHUNK / group.casesPerShop));
    const slice = Math.min(group.casesPerShop, CHUNK);
    for (let s = 0; s < ids.length; s += shopsPerChunk) {
      for (let from = 1; from <= group.casesPerShop; from += slice) {
        chunks.push({
          shops: ids.slice(s, s + shopsPerChunk).map((r) => r.id),
          from,
          to: Math.min(group.casesPerShop, from + slice - 1),
        });
      }
    }
  }
  // Two sessions: the machine's cores, not one statement at a time.
  let done = 0;
  const statement = insertSql(spec.mix, spec.events ?? false);
  const worker = async () => {
    const reserved = await sql.reserve();
    try {
      await reserved.unsafe(session);
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
        const { text, params } = bind(statement, {
          now: spec.now.toISOString(),
          shops: chunk.shops,
          from: chunk.from,
          to: chunk.to,
        });
        await reserved.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
        done += chunk.shops.length * (chunk.to - chunk.from + 1);
        log(
          `generate: ${done.toLocaleString("en")} / ${total.toLocaleString("en")} cases (${((performance.now() - started) / 1000).toFixed(0)} s)`,
        );
      }
    } finally {
      reserved.release();
    }
  };
  await Promise.all([worker(), worker()]);

  const indexStarted = performance.now();
  const reserved = await sql.reserve();
  try {
    await reserved.unsafe(session);
    for (const index of indexes) await reserved.unsafe(index.definition);
    log(`generate: ${indexes.length} indexes rebuilt in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
    // The load ran with triggers off (replica): recount the tab badges' table the triggers on cases would have kept.
    await reserved.unsafe(`select mahnwerk_rebuild_case_status_counts()`);
    // Likewise the sweep's due index (drizzle/0009).
    await reserved.unsafe(`select mahnwerk_rebuild_case_schedule()`);
    await reserved.unsafe(`vacuum (analyze) shops, orders, cases, case_events, case_status_counts, case_schedule`);
  } finally {
    reserved.release();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`generate: ${total.toLocaleString("en")} cases in ${shopNo.toLocaleString("en")} shops, ${seconds.toFixed(1)} s`);
  return { shopIds, cases: total, seconds };
}

/**
 * The list data set: one big shop among many small ones (full: 1,000,000 of 10,000,000 cases; quick: 20,000 of
 * 100,000). The small shops matter: the big shop's rows share every index with theirs.
 */
export function listSpec(quick: boolean, now: Date): GenerateSpec {
  return quick
    ? {
        mix: "list",
        now,
        groups: [
          { shops: 1, casesPerShop: 20_000 },
          { shops: 80, casesPerShop: 1_000 },
        ],
      }
    : {
        mix: "list",
        now,
        groups: [
          { shops: 1, casesPerShop: 1_000_000 },
          { shops: 9_000, casesPerShop: 1_000 },
        ],
      };
}
