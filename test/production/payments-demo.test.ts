import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { DEMO_SHOP_DOMAIN } from "#app/web/shop-context.server";
import { type AppDatabase, createAppDatabase } from "#test/support/app-database";
import { postgresTestUrl } from "#test/support/db";
import {
  ensureBuild,
  freePort,
  runMahnwerk,
  type RunningProcess,
  type RunningServer,
  startServer,
  startWorker,
} from "#test/support/server";
import { camt053 } from "#test/support/statements";
import { waitFor } from "#test/support/wait";

/*
 * Issue 29's "done when", as the demo runs (`npm start`; on PostgreSQL `DEMO=1 WORKERS=0 npm start` beside
 * `npm run worker`): a camt.053 with credits for three demo cases — the exact reference, a reference with one wrong
 * character, a partial payment — uploaded on the Payments page pays two cases and pays one in part; the orders of the
 * two show as paid once the write-back ran; a credit naming two customers' orders waits in the review list with both
 * and why; the same file again changes nothing. The cases are read through /api/v1 (a token made with the CLI).
 */

const ENGINE = postgresTestUrl() ? "postgres" : "pglite";

type ApiCase = {
  id: string;
  status: string;
  updatedAt: string;
  order: { name: string };
  customer: { firstName: string | null; lastName: string | null };
  outstanding: { amountMinor: number; currency: string };
};

beforeAll(() => ensureBuild(), 300_000);

describe(`bank statements in the demo (${ENGINE})`, () => {
  let app: AppDatabase;
  let server: RunningServer;
  let worker: RunningProcess | null = null;
  let env: Record<string, string>;
  let token: string;

  const cli = async (...args: string[]) => {
    const result = await runMahnwerk(args, env);
    expect(result.code, `${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const api = async <T>(p: string) =>
    (await (await fetch(`${server.url}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const caseOf = async (id: string) => (await api<{ case: ApiCase }>(`/cases/${id}`)).case;
  const upload = async (statement: string) => {
    const form = new FormData();
    form.append("statement", new Blob([statement], { type: "application/xml" }), "november.xml");
    const res = await fetch(`${server.url}/app/payments?locale=en`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    app = await createAppDatabase(ENGINE);
    env = {
      ...app.serverEnv,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "mahnwerk-payments-")),
      PORT: String(await freePort()),
    };
    if (ENGINE === "postgres") {
      env.DEMO = "1";
      server = await startServer({ ...env, WORKERS: "0" });
      worker = await startWorker(env);
    } else {
      // The first start seeds the demo; the CLI needs the embedded database to itself for the token.
      server = await startServer(env);
      await server.stop();
    }
    token = (
      JSON.parse(await cli("tokens", "create", "--shop", DEMO_SHOP_DOMAIN, "--role", "support", "--json")) as {
        token: string;
      }
    ).token;
    if (ENGINE === "pglite") server = await startServer(env);
  }, 240_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
    rmSync(env.DATA_DIR!, { recursive: true, force: true });
    await app?.dispose();
  });

  test("exact, typo, partial booked; the ambiguous one in review; the orders marked paid; the same file again changes nothing", async () => {
    const running = (await api<{ cases: ApiCase[] }>("/cases?status=running&limit=100")).cases;
    const people = new Set<string>();
    const distinct = running.filter((c) => {
      const who = `${c.customer.firstName} ${c.customer.lastName}`;
      return people.has(who) ? false : (people.add(who), true);
    });
    expect(distinct.length).toBeGreaterThanOrEqual(5);
    const [exact, typo, partial, one, other] = distinct as [ApiCase, ApiCase, ApiCase, ApiCase, ApiCase];
    const ref = (c: ApiCase) => creditorReference(c.order.name)!;
    // One character of the reference's body changed: the check digits no longer fit.
    const body = ref(typo).slice(4);
    const wrong = `${ref(typo).slice(0, 4)}${body.slice(0, -1)}${body.endsWith("7") ? "1" : "7"}`;
    const half = Math.floor(partial.outstanding.amountMinor / 2);
    const statement = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-18",
          credits: [
            {
              amountMinor: exact.outstanding.amountMinor,
              payerName: "Kontoinhaber unbekannt",
              payerIban: "DE02120300000000202051",
              remittance: formatCreditorReference(ref(exact)),
              bankRef: "DEMO-1",
            },
            {
              amountMinor: typo.outstanding.amountMinor,
              payerName: `${typo.customer.lastName}, ${typo.customer.firstName}`.toUpperCase(),
              payerIban: null,
              remittance: `Rechnung ${wrong}`,
              bankRef: "DEMO-2",
            },
            { amountMinor: half, payerName: null, payerIban: null, remittance: ref(partial), bankRef: "DEMO-3" },
            {
              amountMinor: 1_234,
              payerName: "Sammelzahler",
              payerIban: null,
              remittance: `Bestellungen ${one.order.name.slice(1)} ${other.order.name.slice(1)}`,
              bankRef: "DEMO-4",
            },
          ],
        },
      ],
    });

    expect(await upload(statement)).toContain("camt.053: 4 credits, 4 new: 3 matched, 1 for review.");
    expect((await caseOf(exact.id)).status).toBe("paid");
    expect((await caseOf(typo.id)).status).toBe("paid");
    const partly = await caseOf(partial.id);
    expect(partly.status).toBe("running");
    expect(partly.outstanding.amountMinor).toBe(partial.outstanding.amountMinor - half);

    // The review list: the credit with both orders it names, and why.
    const page = await (await fetch(`${server.url}/app/payments?locale=en`)).text();
    expect(page).toContain("To review (1)");
    expect(page).toContain("Sammelzahler");
    for (const c of [one, other]) expect(page).toContain(c.order.name);
    expect(page).toContain("order number");

    // The write-back: the paid orders show as paid on the case page once the outbox ran.
    if (ENGINE === "postgres") await cli("jobs", "run", "outbox.sweep");
    for (const c of [exact, typo])
      await waitFor(
        `the order of ${c.order.name} marked paid`,
        async () =>
          (await (await fetch(`${server.url}/app/cases/${c.id}?locale=en`)).text()).includes("Order in the shop: paid"),
        120_000,
      );
    expect(await (await fetch(`${server.url}/app/cases/${partial.id}?locale=en`)).text()).toContain(
      "Order in the shop: payment pending",
    );

    // The same file again: all four known, nothing booked, no case changed.
    const before = await Promise.all([exact, typo, partial, one, other].map((c) => caseOf(c.id)));
    expect(await upload(statement)).toContain("camt.053: 4 credits, 0 new: 0 matched, 0 for review.");
    expect(await Promise.all([exact, typo, partial, one, other].map((c) => caseOf(c.id)))).toEqual(before);
  }, 240_000);
});
