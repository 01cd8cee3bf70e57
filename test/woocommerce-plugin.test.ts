import { execFile, execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { shops } from "#app/db/schema";
import { CASE_STATUSES, TERMINAL_STATUSES } from "#app/domain/case/status";
import { type MessageKey, translator } from "#app/i18n/i18n";
import { action as guardAction } from "#app/routes/woocommerce.checkout-guard";
import { action as orderCaseAction } from "#app/routes/woocommerce.order-case";
import { action as removedAction } from "#app/routes/woocommerce.staff.removed";
import { buildReport } from "#app/services/cases/reports.server";
import { updateSettings } from "#app/services/settings/settings.server";
import { webhookSecretOf, type WooConnection } from "#app/services/woocommerce/connections.server";
import {
  createStaffSession,
  redeemWpAdminLink,
  STAFF_COOKIE,
  staffSessionOf,
} from "#app/services/woocommerce/staff.server";
import { wooStore } from "#test/mocks/woocommerce";
import { hasChromium, launchBrowser, SCREENSHOT_DIR } from "#test/support/browser";
import { openTestCase } from "#test/support/cases";
import { createTestDatabase, type TestDatabase, testEngines } from "#test/support/db";
import { serveRoutesFrom } from "#test/support/routes";
import { connectTestStore, TEST_APP_URL, TEST_ENCRYPTION_KEY } from "#test/support/woo";

/*
 * The companion plugin (extensions/woocommerce/mahnwerk) run by PHP outside WordPress (extensions/woocommerce/test/
 * harness.php stubs the WordPress functions it calls): what it signs must be what the server accepts. Needs php-cli;
 * .ci/run installs it and sets MAHNWERK_REQUIRE_PHP=1, under which a missing php fails instead of skipping.
 */

const php = spawnSync("php", ["--version"]).status === 0;
const execFileAsync = promisify(execFile);
const required = process.env.MAHNWERK_REQUIRE_PHP === "1";
const REASON = "plugin tests skipped: no php (apt-get install php-cli)";

/**
 * The meta box's HTML as PHP rendered it, in a frame like wp-admin's order screen sidebar, saved as a picture to look
 * at (test-results/screenshots/woocommerce-meta-box-{de,en}.png) where chromium is installed.
 */
async function pictureMetaBoxes(boxes: Record<"de" | "en", string>): Promise<void> {
  if (!hasChromium) return;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 320, height: 200 } });
    for (const [language, html] of Object.entries(boxes)) {
      await page.setContent(`<!doctype html><html lang="${language}"><meta charset="utf-8"><style>
        body { background: #f0f0f1; font: 13px/1.4 -apple-system, "Segoe UI", Roboto, sans-serif; color: #3c434a; margin: 16px; }
        .postbox { background: #fff; border: 1px solid #c3c4c7; width: 280px; }
        .postbox h2 { font-size: 14px; margin: 0; padding: 8px 12px; border-bottom: 1px solid #c3c4c7; }
        .inside { padding: 0 12px 12px; } .description { color: #646970; } ul { padding: 0; list-style: none; }
        li { margin-bottom: 8px; } .notice { border-left: 4px solid #00a32a; background: #fff; box-shadow: 0 1px 1px rgba(0,0,0,.04); padding: 1px 12px; margin: 8px 0; }
        .notice-error { border-left-color: #d63638; } textarea { box-sizing: border-box; }
        .button { border: 1px solid #2271b1; color: #2271b1; background: #f6f7f7; border-radius: 3px; padding: 0 10px; min-height: 30px; }
        .button-primary { background: #2271b1; color: #fff; } a { color: #2271b1; }
      </style><div class="postbox"><h2>Mahnwerk</h2><div class="inside">${html}</div></div></html>`);
      await page.locator(".postbox").screenshot({ path: `${SCREENSHOT_DIR}/woocommerce-meta-box-${language}.png` });
    }
  } finally {
    await browser.close();
  }
}

type RouteAction = (args: { request: Request; params: object; context: never }) => Promise<unknown>;

/**
 * One of the app's routes behind a real socket, as the plugin reaches it; `edit` may change an answer on the way.
 * Returns the server's base URL and a close function.
 */
async function serveRoute(
  action: RouteAction,
  context: unknown,
  edit: (status: number, body: string) => string = (_status, body) => body,
): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const response = (await action({
          request: new Request(`${TEST_APP_URL}${req.url}`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: Buffer.concat(chunks),
          }),
          params: {},
          context: context as never,
        })) as Response;
        const body = edit(response.status, await response.text());
        res.writeHead(response.status, { "content-type": "application/json" }).end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

if (!php && required) {
  test("needs php", () => {
    throw new Error("MAHNWERK_REQUIRE_PHP=1 but there is no php: install php-cli");
  });
}

describe.skipIf(!php)(php ? "the WooCommerce companion plugin" : `the WooCommerce companion plugin (${REASON})`, () => {
  test("every PHP file of the plugin and its harness passes php -l", () => {
    const files = readdirSync("extensions/woocommerce", { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".php"),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files)
      expect(execFileSync("php", ["-l", `extensions/woocommerce/${file}`], { encoding: "utf8" }), file).toContain(
        "No syntax errors",
      );
  });

  describe.each(testEngines())("against the server's checks on %s", (engine) => {
    let database: TestDatabase;
    let routes: ReturnType<typeof serveRoutesFrom>;
    let connection: WooConnection;
    let produced: {
      signin: string;
      posts: { url: string; body: Record<string, string | number>; blocking: boolean }[];
      payable: Record<string, string[]>;
      columns: Record<"classic" | "hpos", Record<string, string>>;
      cells: Record<string, Record<"classic" | "hpos", Record<string, Record<string, string>>>>;
    };

    beforeAll(async () => {
      database = await createTestDatabase(engine);
      routes = serveRoutesFrom(database);
      wooStore.reset();
      ({ connection } = await connectTestStore(database.db));
      const out = execFileSync("php", ["extensions/woocommerce/test/harness.php"], {
        encoding: "utf8",
        env: {
          ...process.env,
          MAHNWERK_TEST_DELIVERY_URL: `${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`,
          MAHNWERK_TEST_SECRET: webhookSecretOf(connection, TEST_ENCRYPTION_KEY),
        },
      });
      produced = JSON.parse(out) as typeof produced;
    });
    afterAll(async () => {
      routes.release();
      await database.close();
    });

    test("an on-hold order is payable on its payment page while its case is open at Mahnwerk, and only then", () => {
      const open = CASE_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));
      for (const status of open) expect(produced.payable[status], status).toEqual(["pending", "failed", "on-hold"]);
      for (const status of [...TERMINAL_STATUSES, "untracked"])
        expect(produced.payable[status], status).toEqual(["pending", "failed"]);
      // The plugin's list is the app's: a status added to the app is not forgotten in the plugin.
      const listed = /MAHNWERK_OPEN_CASE_STATUSES = array\(([^)]*)\)/.exec(
        readFileSync("extensions/woocommerce/mahnwerk/mahnwerk.php", "utf8"),
      )?.[1];
      expect(
        listed
          ?.match(/'([a-z_]+)'/g)
          ?.map((s) => s.slice(1, -1))
          .sort(),
      ).toEqual([...open].sort());
    });

    test("order list: a Mahnwerk column after the status on both screens, each tracked order's case status as the tab names it", () => {
      for (const screen of ["classic", "hpos"] as const)
        expect(Object.keys(produced.columns[screen])).toEqual([
          "cb",
          "order_number",
          "order_status",
          "mahnwerk",
          "order_total",
        ]);
      for (const [locale, language] of [
        ["en_US", "en"],
        ["de_DE", "de"],
      ] as const) {
        const t = translator(language);
        for (const screen of ["classic", "hpos"] as const) {
          const cells = produced.cells[locale]![screen];
          for (const status of CASE_STATUSES)
            expect(cells.mahnwerk![status], `${locale} ${screen} ${status}`).toBe(
              `<mark class="mahnwerk-status" title="mahnwerk:${status}">${t(`status.${status}` as MessageKey)}</mark>`,
            );
          expect(cells.mahnwerk!.untracked).toBe("");
          // Other columns are left to WooCommerce.
          expect(Object.values(cells.order_total!).join("")).toBe("");
        }
      }
    });

    test("checkout guard: the invoice gateways are hidden for a customer with an open case, asked once, and only then", async () => {
      const [shop] = await database.db.select().from(shops).where(eq(shops.id, connection.shopId!));
      await openTestCase(database.db, shop!);
      const guard = (on: boolean) =>
        updateSettings(
          database.db,
          shop!.id,
          { checkoutGuard: on, invoicePaymentMethods: ["invoice", "Rechnung"] },
          { changedBy: "t", now: new Date() },
        );
      await guard(true);
      // The app's route behind a real socket; `tamper` changes the answer after it was signed.
      let tamper = false;
      const server = await serveRoute(guardAction as RouteAction, routes.context, (status, body) =>
        tamper && status === 200 ? body.replace('"open":false', '"open":true') : body,
      );
      const url = server.url;
      const checkout = async (email: string, reachable = true) => {
        const { stdout } = await execFileAsync("php", ["extensions/woocommerce/test/harness.php"], {
          encoding: "utf8",
          env: {
            ...process.env,
            MAHNWERK_TEST_DELIVERY_URL: `${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`,
            MAHNWERK_TEST_SECRET: webhookSecretOf(connection, TEST_ENCRYPTION_KEY),
            MAHNWERK_TEST_BILLING_EMAIL: email,
            ...(reachable ? { MAHNWERK_TEST_GUARD_SERVER: url } : {}),
          },
        });
        return JSON.parse(stdout) as {
          first: string[];
          second: string[];
          asked: number;
          posts: { body: { e: string } }[];
        };
      };
      const everything = ["invoice", "bacs", "stripe", "paypal"];
      try {
        // Anna owes: invoice ("invoice" by id, "Rechnung" by title) is gone, card and PayPal stay; the second checkout
        // uses the kept answer. The e-mail left the store only as its hash.
        const owing = await checkout(" Anna@Example.de ");
        expect([owing.first, owing.second, owing.asked]).toEqual([["stripe", "paypal"], ["stripe", "paypal"], 1]);
        expect(owing.posts[0]!.body.e).toBe(createHash("sha256").update("anna@example.de").digest("hex"));
        expect(JSON.stringify(owing.posts)).not.toContain("anna");
        const steered = async () => (await buildReport(database.db, shop!, new Date())).checkoutsSteered;
        expect(await steered()).toBe(1);
        // Someone without a case, a Mahnwerk that cannot be reached, an answer changed on the way: nothing hidden.
        expect((await checkout("ben@example.de")).first).toEqual(everything);
        expect((await checkout("anna@example.de", false)).first).toEqual(everything);
        tamper = true;
        expect((await checkout("ben@example.de")).first).toEqual(everything);
        tamper = false;
        // The shop turned the guard off: Anna sees invoice again.
        await guard(false);
        expect((await checkout("anna@example.de")).first).toEqual(everything);
        // Only the one checkout that lost invoice is counted for the reports.
        expect(await steered()).toBe(1);
      } finally {
        server.close();
      }
    });

    test("order screen: a meta box on both screens shows the order's case and starts it with a reason, as the user who clicked", async () => {
      const [shop] = await database.db.select().from(shops).where(eq(shops.id, connection.shopId!));
      const opened = (await openTestCase(database.db, shop!)).case;
      const server = await serveRoute(orderCaseAction as RouteAction, routes.context);
      const box = async (env: Record<string, string>) => {
        const { stdout } = await execFileAsync("php", ["extensions/woocommerce/test/harness.php"], {
          encoding: "utf8",
          env: {
            ...process.env,
            MAHNWERK_TEST_DELIVERY_URL: `${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`,
            MAHNWERK_TEST_SECRET: webhookSecretOf(connection, TEST_ENCRYPTION_KEY),
            MAHNWERK_TEST_ORDER_CASE_SERVER: server.url,
            ...env,
          },
        });
        return JSON.parse(stdout) as {
          boxes: string[][];
          before: string;
          redirect: string | null;
          after: string | null;
          posts: { url: string; body: Record<string, string | number> }[];
        };
      };
      try {
        const de = translator("de");
        const started = await box({
          MAHNWERK_TEST_ORDER_ID: opened.platformOrderId,
          MAHNWERK_TEST_LOCALE: "de_DE",
          MAHNWERK_TEST_ACTION: "start",
          MAHNWERK_TEST_REASON: "Kundin bat um Erinnerung",
        });
        expect(started.boxes).toEqual([
          ["mahnwerk-case", "Mahnwerk", "shop_order", "side"],
          ["mahnwerk-case", "Mahnwerk", "woocommerce_page_wc-orders", "side"],
        ]);
        expect(started.before).toContain(`>${de("status.waiting_for_approval")}</mark>`);
        expect(started.before).toMatch(/<strong>119,90\s€<\/strong> offen/);
        expect(started.before).toContain(`Als Nächstes: ${de("next.approval")}`);
        expect(started.before).toMatch(/<button[^>]+value="start"[^>]*>Mahnung starten<\/button>/);
        expect(started.before).toMatch(/<button[^>]+value="cancel"[^>]*>Fall abbrechen<\/button>/);
        expect(started.redirect).toBe(
          `https://shop.example.de/wp-admin/admin.php?page=wc-orders&action=edit&id=${opened.platformOrderId}`,
        );
        expect(started.after).toContain("Erledigt: der Fall ist jetzt „Laufend“.");
        expect(started.after).toContain(`>${de("status.running")}</mark>`);
        expect(started.after).toContain("Mitarbeiter: Anna Schmidt (wp:42)");
        expect(started.after).toContain("Begründung: Kundin bat um Erinnerung");
        expect(started.after).not.toContain('value="start"');

        // The signed start cannot be sent a second time; reading may repeat.
        const [view, start] = started.posts.filter((p) => p.url.endsWith("/woocommerce/order-case"));
        const again = async (body: Record<string, string | number>) =>
          (
            await fetch(`${server.url}/woocommerce/order-case`, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])),
            })
          ).status;
        expect(start!.body.a).toBe("start");
        expect(await again(start!.body)).toBe(403);
        expect(await again(view!.body)).toBe(200);
        // A reason changed on the way breaks the signature.
        expect(await again({ ...start!.body, r: "something else", n: `${start!.body.n}x` })).toBe(403);

        // An empty reason is refused by Mahnwerk and the refusal shown; English for an English admin.
        const refused = await box({
          MAHNWERK_TEST_ORDER_ID: opened.platformOrderId,
          MAHNWERK_TEST_LOCALE: "en_US",
          MAHNWERK_TEST_ACTION: "cancel",
          MAHNWERK_TEST_REASON: "",
        });
        expect(refused.after).toContain('<div class="notice inline notice-error"><p>Please enter a reason.</p></div>');
        expect(refused.after).toContain(">Running</mark>");
        await pictureMetaBoxes({ de: started.after!, en: refused.after! });
        // A form without the box's nonce reaches nobody.
        const forged = await box({
          MAHNWERK_TEST_ORDER_ID: opened.platformOrderId,
          MAHNWERK_TEST_ACTION: "cancel",
          MAHNWERK_TEST_REASON: "forged",
          MAHNWERK_TEST_NONCE: "nonce:mahnwerk_case_1",
        });
        expect(forged.redirect).toBe("refused: nonce check failed");
        expect(forged.posts.filter((p) => p.body.a === "cancel")).toEqual([]);

        expect((await box({ MAHNWERK_TEST_ORDER_ID: "123" })).before).toBe(
          `<p>${translator("en")("orderBlock.unknownOrder")}</p>`,
        );
      } finally {
        server.close();
      }
      const unreachable = await execFileAsync("php", ["extensions/woocommerce/test/harness.php"], {
        encoding: "utf8",
        env: {
          ...process.env,
          MAHNWERK_TEST_DELIVERY_URL: `${TEST_APP_URL}/webhooks/woocommerce/${connection.id}`,
          MAHNWERK_TEST_SECRET: webhookSecretOf(connection, TEST_ENCRYPTION_KEY),
          MAHNWERK_TEST_ORDER_CASE_SERVER: "",
          MAHNWERK_TEST_ORDER_ID: opened.platformOrderId,
        },
      });
      expect((JSON.parse(unreachable.stdout) as { before: string }).before).toBe(
        "<p>Mahnwerk cannot be reached right now. Reload the page to try again.</p>",
      );
    });

    test("its sign-in link signs in; its report of a deleted user ends that user's session; a demoted user is reported too", async () => {
      const link = new URL(produced.signin);
      expect(`${link.origin}${link.pathname}`).toBe(`${TEST_APP_URL}/woocommerce/signin`);
      const redeemed = await redeemWpAdminLink(database.db, link.searchParams, {
        key: TEST_ENCRYPTION_KEY,
        now: new Date(),
      });
      if (!redeemed.ok) throw new Error(`the plugin's link was refused: ${redeemed.error.code}`);
      expect(redeemed.value.staff).toMatchObject({ id: "wp:42", name: "Anna Schmidt", email: "anna@shop.example.de" });
      const session = await createStaffSession(database.db, redeemed.value.shopId, redeemed.value.staff, new Date());
      const cookie = `${STAFF_COOKIE}=${session.value}`;

      // Anna deleted, Ben demoted; Anna's own role change kept the capability and sent nothing.
      expect(
        produced.posts.map((p) => [
          p.url,
          JSON.parse(Buffer.from(String(p.body.u), "base64url").toString()).id,
          p.blocking,
        ]),
      ).toEqual([
        [`${TEST_APP_URL}/woocommerce/staff/removed`, 42, false],
        [`${TEST_APP_URL}/woocommerce/staff/removed`, 43, false],
      ]);
      for (const post of produced.posts) {
        const body = new URLSearchParams(Object.entries(post.body).map(([k, v]) => [k, String(v)]));
        const res = (await removedAction({
          request: new Request(post.url, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body,
          }),
          params: {},
          context: routes.context,
        })) as Response;
        expect(res.status).toBe(204);
      }
      expect(
        await staffSessionOf(database.db, new Request(`${TEST_APP_URL}/app`, { headers: { cookie } }), new Date()),
      ).toBeNull();
    });
  });
});
