import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { openDatabase } from "#app/db/client.server";
import { cases, orderBankPayments, orders, shops } from "#app/db/schema";
import { addDays, toLocalDate } from "#app/domain/dates";
import { creditorReference, formatCreditorReference } from "#app/domain/payments/creditor-reference";
import { openOverdueCases } from "#app/services/dunning/sweep.server";
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
 * And an invoice order not yet due, so without a case, paid by a credit of a later statement: booked on the order,
 * marked paid by the order-level write-back, and no case opens for it even once it is long overdue.
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

  /**
   * An invoice order of the demo shop not due for two weeks, so without a case, as a platform's order import would
   * have stored it (the demo has no platform to order from). On PGlite only while the server is stopped.
   */
  const CASELESS = { platformOrderId: "850999", name: "#50999", amountMinor: 6_480 };
  /** The server's database in this process: PGlite lives in the server's DATA_DIR (open only while it is stopped). */
  const openServerDb = () =>
    ENGINE === "pglite" ? openDatabase({ engine: "pglite", dataDir: env.DATA_DIR! }) : app.open();
  const addCaselessOrder = async () => {
    const database = await openServerDb();
    try {
      const [shop] = await database.db.select().from(shops).where(eq(shops.domain, DEMO_SHOP_DOMAIN)).limit(1);
      const orderedAt = new Date();
      await database.db.insert(orders).values({
        shopId: shop!.id,
        platformOrderId: CASELESS.platformOrderId,
        name: CASELESS.name,
        currency: "EUR",
        totalMinor: CASELESS.amountMinor,
        outstandingMinor: CASELESS.amountMinor,
        financialStatus: "pending",
        paymentMethods: ["Rechnung"],
        isInvoice: true,
        orderedAt,
        dueDate: addDays(toLocalDate(orderedAt, "Europe/Berlin"), 14),
        platformUpdatedAt: orderedAt,
        customer: {
          platformCustomerId: "7999",
          firstName: "Greta",
          lastName: "Sommerfeld",
          company: null,
          email: "greta@example.de",
          phone: null,
          locale: "de",
        },
        billingAddress: null,
      });
    } finally {
      await database.close();
    }
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
      await addCaselessOrder();
    } else {
      // The first start seeds the demo; the CLI needs the embedded database to itself for the token.
      server = await startServer(env);
      await server.stop();
      await addCaselessOrder();
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

  test("an order without a case, paid by a credit in the statement: listed as paid, marked paid, and never gets a case", async () => {
    const statement = camt053({
      accountIban: "DE89370400440532013000",
      entries: [
        {
          bookingDate: "2026-11-19",
          credits: [
            {
              amountMinor: CASELESS.amountMinor,
              payerName: "Greta Sommerfeld",
              payerIban: "DE75512108001245126199",
              remittance: formatCreditorReference(creditorReference(CASELESS.name)!),
              bankRef: "DEMO-5",
            },
          ],
        },
      ],
    });
    expect(await upload(statement)).toContain("camt.053: 1 credits, 1 new: 1 matched, 0 for review.");

    // Listed like every decided credit: the API names the order and no case; the Payments page says why.
    const payments = (
      await api<{ payments: { status: string; orders: string[]; cases: string[]; remittance: string }[] }>(
        "/payments?status=matched",
      )
    ).payments;
    const paid = payments.find((p) => p.remittance === formatCreditorReference(creditorReference(CASELESS.name)!));
    expect(paid).toMatchObject({ status: "matched", cases: [], orders: [expect.any(String)] });
    const orderId = paid!.orders[0]!;
    expect(await (await fetch(`${server.url}/app/payments?locale=en`)).text()).toContain(
      `${CASELESS.name} (no case (paid before one opened))`,
    );

    // The order-level write-back marks the demo order paid: its payment page (the demo's platform) owes nothing.
    if (ENGINE === "postgres") await cli("jobs", "run", "outbox.sweep");
    await waitFor(
      "the caseless order marked paid",
      async () =>
        (await (await fetch(`${server.url}/demo/pay/${orderId}?locale=en`)).text()).includes(
          "Nothing is due on this order any more.",
        ),
      120_000,
    );

    // No case, and none once the order is long overdue: the dunning sweep, run a month past its due date, opens none.
    if (ENGINE === "pglite") await server.stop();
    const database = await openServerDb();
    try {
      const caseCount = async () => database.db.$count(cases, eq(cases.orderId, orderId));
      expect(await caseCount()).toBe(0);
      expect(await database.db.select().from(orderBankPayments).where(eq(orderBankPayments.orderId, orderId))).toEqual([
        expect.objectContaining({ amountMinor: CASELESS.amountMinor, bookingDate: "2026-11-19" }),
      ]);
      await openOverdueCases(database.db, new Date(Date.now() + 45 * 86_400_000));
      expect(await caseCount()).toBe(0);
    } finally {
      await database.close();
      if (ENGINE === "pglite") server = await startServer(env);
    }
  }, 240_000);
});
