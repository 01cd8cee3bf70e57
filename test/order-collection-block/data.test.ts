// The order page block's data logic (extensions/order-collection-block/src/data.ts): what it reads from the app's
// /order-block endpoint, what it refuses, and how it asks for an action.
import { describe, expect, test } from "vitest";

import { blockClient, orderIdOf, parseSummary, type Summary } from "../../extensions/order-collection-block/src/data";

const TRACKED: Summary = {
  tracked: true,
  caseId: "0b9c7f0e-3f59-4a57-9d7c-3b1f8d1f0c11",
  casePath: "/app/cases/0b9c7f0e-3f59-4a57-9d7c-3b1f8d1f0c11",
  orderName: "#1042",
  status: "running",
  statusText: "Running",
  tone: "info",
  outstandingText: "€119.90",
  levelText: "1st reminder",
  nextText: "2nd reminder on 12 Dec 2026",
  timeline: [{ title: "Dunning started", at: "2 Dec 2026, 08:00", actor: "Staff: shopify:42", reason: "asked" }],
  actions: ["cancel"],
  reasonMax: 500,
};

const answer = (status: number, body: unknown) =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": typeof body === "string" ? "text/html" : "application/json" },
  });

test("the order id comes from the admin's order gid only", () => {
  expect(orderIdOf("gid://shopify/Order/6120457896234")).toBe("6120457896234");
  expect(orderIdOf("gid://shopify/DraftOrder/1")).toBeNull();
  expect(orderIdOf("gid://shopify/Order/1/../2")).toBeNull();
  expect(orderIdOf(undefined)).toBeNull();
});

describe("parseSummary", () => {
  test("reads a tracked case and the three untracked answers", () => {
    expect(parseSummary(TRACKED)).toEqual(TRACKED);
    for (const reason of ["unknown_order", "not_invoice", "no_case"])
      expect(parseSummary({ tracked: false, reason, text: "Not tracked by Mahnwerk." })).not.toBeNull();
  });

  test("refuses what is not the endpoint's answer", () => {
    expect(parseSummary(null)).toBeNull();
    expect(parseSummary("<html>")).toBeNull();
    expect(parseSummary({ tracked: false, reason: "gone", text: "x" })).toBeNull();
    expect(parseSummary({ ...TRACKED, tone: "purple" })).toBeNull();
    expect(parseSummary({ ...TRACKED, actions: ["delete"] })).toBeNull();
    expect(parseSummary({ ...TRACKED, timeline: [{ title: "x" }] })).toBeNull();
    expect(parseSummary({ ...TRACKED, outstandingText: 11990 })).toBeNull();
  });
});

describe("blockClient", () => {
  const calls: { url: string; init?: RequestInit }[] = [];
  const clientAnswering = (response: () => Response | Promise<Response>) => {
    calls.length = 0;
    return blockClient(
      async (url, init) => {
        calls.push({ url, init });
        return response();
      },
      "",
      "6120457896234",
      "de",
    );
  };

  test("loads the order's case in the admin's language", async () => {
    const state = await clientAnswering(() => answer(200, TRACKED)).load();
    expect(state).toEqual({ kind: "ready", summary: TRACKED, refusal: null });
    expect(calls[0]!.url).toBe("/order-block/6120457896234?locale=de");
  });

  test("an order Mahnwerk never saw answers 404 with its one line", async () => {
    const untracked = { tracked: false, reason: "unknown_order", text: "Nicht von Mahnwerk erfasst." };
    expect(await clientAnswering(() => answer(404, untracked)).load()).toEqual({
      kind: "ready",
      summary: untracked,
      refusal: null,
    });
  });

  test("an action posts the reason; a refusal comes back with the case as it now is", async () => {
    const refusal = { error: { code: "conflict", message: "The case is already paid." }, summary: TRACKED };
    const state = await clientAnswering(() => answer(409, refusal)).act("cancel", "Kunde hat bar bezahlt");
    expect(state).toEqual({ kind: "ready", summary: TRACKED, refusal: "The case is already paid." });
    expect(calls[0]!.init?.method).toBe("POST");
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ action: "cancel", reason: "Kunde hat bar bezahlt" });
  });

  test("an unreachable app and an unreadable answer are told apart", async () => {
    expect(
      await clientAnswering(() => {
        throw new TypeError("fetch failed");
      }).load(),
    ).toEqual({ kind: "failed", problem: "network" });
    expect(await clientAnswering(() => answer(502, "<html>Bad gateway</html>")).load()).toEqual({
      kind: "failed",
      problem: "answer",
    });
    expect(await clientAnswering(() => answer(500, { tracked: true })).load()).toEqual({
      kind: "failed",
      problem: "answer",
    });
    // A 401 (session token expired) carries no summary: nothing to show but the failure.
    expect(
      await clientAnswering(() =>
        answer(401, { error: { code: "unauthorized", message: "A session token is required." } }),
      ).load(),
    ).toEqual({ kind: "failed", problem: "answer" });
  });
});
