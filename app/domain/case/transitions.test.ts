import fc from "fast-check";
import { describe, expect, test } from "vitest";

import type { Case } from "./case";
import { applyEvent, type CaseEvent, replay } from "./events";
import { openCase } from "./open";
import { CASE_STATUSES, type CaseStatus, isTerminal } from "./status";
import {
  type CaseCommand,
  COMMAND_TYPES,
  type CommandEnvelope,
  type CommandType,
  decide,
  execute,
  TRANSITIONS,
} from "./transitions";

const EUR = (amountMinor: number) => ({ amountMinor, currency: "EUR" });
const T0 = new Date("2026-11-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const staff = { type: "staff" as const, id: "anna" };
const debtor = {
  firstName: "Anna",
  lastName: "Müller",
  company: null,
  street: "Hauptstraße 1",
  postalCode: "10115",
  city: "Berlin",
  countryCode: "DE",
};

function opened(amount = 10_000): Case {
  return applyEvent(
    null,
    openCase({
      caseId: "c1",
      shopId: "s1",
      orderId: "o1",
      kind: "invoice",
      original: EUR(amount),
      outstanding: EUR(amount),
      dueDate: "2026-10-20",
      actor: { type: "scheduler", id: "dunning" },
      occurredAt: T0,
      sourceId: null,
    }),
  );
}

function run(state: Case, command: CaseCommand, minutes = 1, sourceId: string | null = null): Case {
  const result = execute(state, { command, actor: staff, reason: "test", occurredAt: at(minutes), sourceId });
  if (!result.ok) throw new Error(`${command.type} refused: ${result.error.message}`);
  return result.value.state;
}

const start: CaseCommand = {
  type: "start",
  automatic: false,
  debtor,
  supportedCurrencies: ["EUR"],
  firstActionAt: at(60),
};

/** A case in every status, built through commands only. */
function caseIn(status: CaseStatus): Case {
  const running = () => run(opened(), start);
  switch (status) {
    case "waiting_for_approval":
      return opened();
    case "running":
      return running();
    case "handed_over": {
      let s = running();
      for (const level of ["reminder_1", "reminder_2", "final_reminder"] as const)
        s = run(s, { type: "reach_level", level, nextActionAt: null });
      return run(s, { type: "hand_over", partnerReference: "DE-S1" });
    }
    case "blocked":
      return run(running(), { type: "block", reasons: ["dispute_open"] });
    case "paid":
      return run(running(), { type: "payment", amount: EUR(10_000), side: "shop" });
    case "failed":
      return run(opened(), { type: "fail", reasons: ["partner_rejected"] });
    case "cancelled":
      return run(running(), { type: "cancel" });
    case "closed":
      return run(opened(), { type: "close" });
  }
}

function canonical(type: CommandType, state: Case): CaseCommand {
  switch (type) {
    case "start":
      return start;
    case "close":
    case "cancel":
    case "confirm_cancellation":
    case "retry":
    case "order_cancelled":
      return { type };
    case "block":
      return { type, reasons: ["order_edited"] };
    case "unblock":
      return { type, reasons: state.blockReasons.length ? state.blockReasons : ["dispute_open"] };
    case "fail":
      return { type, reasons: ["partner_rejected"] };
    case "reach_level":
      return {
        type,
        level:
          state.dunningLevel === null
            ? "reminder_1"
            : state.dunningLevel === "reminder_1"
              ? "reminder_2"
              : "final_reminder",
        nextActionAt: null,
      };
    case "hand_over":
      return { type, partnerReference: "DE-1" };
    case "partner_status":
      return { type, subStatus: "contacted", partnerReference: null, dunningOption: "A" };
    case "payment":
      return { type, amount: EUR(state.outstanding.amountMinor || 1), side: "shop" };
    case "adjust_outstanding":
      return { type, outstanding: EUR(5_000), cause: "refund" };
    case "classify_debtor":
      return { type, kind: "business" };
    case "withdraw_handover":
      return { type };
  }
}

/** Concrete outcomes, written by hand: [command, from] → resulting status (or the refusal code). */
const OUTCOMES: Record<string, CaseStatus | `refused:${string}`> = {
  "start waiting_for_approval": "running",
  "close waiting_for_approval": "closed",
  "close failed": "closed",
  "cancel waiting_for_approval": "closed",
  "cancel running": "cancelled",
  "cancel blocked": "cancelled",
  "cancel failed": "cancelled",
  "cancel handed_over": "handed_over",
  "confirm_cancellation handed_over": "refused:no_cancellation_requested",
  "confirm_cancellation blocked": "refused:no_cancellation_requested",
  "block waiting_for_approval": "blocked",
  "block running": "blocked",
  "block handed_over": "blocked",
  "block blocked": "blocked",
  "unblock blocked": "running",
  "fail waiting_for_approval": "failed",
  "fail running": "failed",
  "fail blocked": "failed",
  "fail handed_over": "failed",
  "retry failed": "waiting_for_approval",
  "reach_level running": "running",
  "hand_over running": "handed_over",
  "partner_status handed_over": "handed_over",
  "partner_status blocked": "refused:transition_not_allowed",
  "payment waiting_for_approval": "paid",
  "payment running": "paid",
  "payment handed_over": "paid",
  "payment blocked": "paid",
  "payment failed": "paid",
  "payment paid": "paid",
  "adjust_outstanding waiting_for_approval": "waiting_for_approval",
  "adjust_outstanding running": "running",
  "adjust_outstanding handed_over": "handed_over",
  "adjust_outstanding blocked": "blocked",
  "adjust_outstanding failed": "failed",
  "order_cancelled waiting_for_approval": "closed",
  "order_cancelled running": "cancelled",
  "order_cancelled handed_over": "handed_over",
  "order_cancelled blocked": "cancelled",
  "order_cancelled failed": "cancelled",
  "classify_debtor waiting_for_approval": "waiting_for_approval",
  "classify_debtor running": "running",
  "classify_debtor blocked": "blocked",
  "classify_debtor failed": "failed",
  "withdraw_handover handed_over": "refused:transition_not_allowed",
};

describe("transition table", () => {
  const pairs = COMMAND_TYPES.flatMap((command) => CASE_STATUSES.map((status) => [command, status] as const));

  test("the hand-written outcomes cover exactly the allowed pairs of TRANSITIONS", () => {
    const allowed = pairs.filter(([c, s]) => TRANSITIONS[c].includes(s)).map(([c, s]) => `${c} ${s}`);
    expect(Object.keys(OUTCOMES).sort()).toEqual(allowed.sort());
  });

  test.each(pairs)("%s from %s", (command, status) => {
    const state = caseIn(status);
    expect(state.status).toBe(status);
    const result = decide(state, {
      command: canonical(command, state),
      actor: staff,
      reason: "r",
      occurredAt: at(500),
    });
    const expected = OUTCOMES[`${command} ${status}`];
    if (expected === undefined) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toMatchObject({ code: "transition_not_allowed", from: status, command });
        expect(result.error.message).toContain(status.replace(/_/g, " "));
      }
      return;
    }
    if (expected.startsWith("refused:")) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe(expected.slice("refused:".length));
      return;
    }
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.reduce<Case>((s, e) => applyEvent(s, e), state).status).toBe(expected);
  });
});

describe("rules", () => {
  test("start runs the pre-start check and fails with every missing item", () => {
    const result = execute(opened(), {
      command: {
        ...start,
        debtor: { ...debtor, street: " ", city: null },
        supportedCurrencies: ["CHF"],
      } as CaseCommand,
      actor: staff,
      reason: null,
      occurredAt: at(1),
    });
    expect(result.ok && result.value.state.status).toBe("failed");
    expect(result.ok && result.value.state.failureReasons).toEqual([
      "missing_street",
      "missing_city",
      "currency_not_supported",
    ]);
  });

  test("a failed case is retried, then started once fixed", () => {
    let s = run(opened(), { ...start, debtor: { ...debtor, postalCode: "" } } as CaseCommand);
    expect(s.status).toBe("failed");
    s = run(s, { type: "retry" });
    s = run(s, start);
    expect(s.status).toBe("running");
    expect(s.failureReasons).toEqual([]);
  });

  test("a block resumes where it was, only when every reason is cleared", () => {
    let s = caseIn("handed_over");
    s = run(s, { type: "block", reasons: ["dispute_open"], stream: "dispute:1" }, 10);
    s = run(s, { type: "block", reasons: ["partner_question"] }, 11);
    expect(s).toMatchObject({
      status: "blocked",
      resumeStatus: "handed_over",
      blockReasons: ["dispute_open", "partner_question"],
    });
    s = run(s, { type: "unblock", reasons: ["dispute_open"], stream: "dispute:1" }, 12);
    expect(s.status).toBe("blocked");
    s = run(s, { type: "unblock", reasons: ["partner_question"] }, 13);
    expect(s).toMatchObject({ status: "handed_over", resumeStatus: null, blockReasons: [] });
  });

  test("cancel after handover is a request until the partner confirms", () => {
    let s = run(caseIn("handed_over"), { type: "cancel" });
    expect(s).toMatchObject({ status: "handed_over", cancellationRequested: true });
    const again = decide(s, { command: { type: "cancel" }, actor: staff, reason: null, occurredAt: at(3) });
    expect(!again.ok && again.error.code).toBe("cancellation_already_requested");
    s = run(s, { type: "confirm_cancellation" });
    expect(s.status).toBe("cancelled");
  });

  test("handover happens once", () => {
    const s = caseIn("handed_over");
    const blocked = run(s, { type: "block", reasons: ["x"] });
    const back = run(blocked, { type: "unblock", reasons: ["x"] });
    expect(back.status).toBe("handed_over");
    expect(
      decide(back, {
        command: { type: "hand_over", partnerReference: null },
        actor: staff,
        reason: null,
        occurredAt: at(9),
      }).ok,
    ).toBe(false);
  });

  test("staff's classification of the debtor is kept until the claim is with the partner", () => {
    let s = run(caseIn("running"), { type: "classify_debtor", kind: "business" });
    expect(s.debtorKind).toBe("business");
    const same = decide(s, {
      command: { type: "classify_debtor", kind: "business" },
      actor: staff,
      reason: "r",
      occurredAt: at(3),
    });
    expect(same).toEqual({ ok: true, value: [] });
    s = run(s, { type: "classify_debtor", kind: "consumer" }, 4);
    expect(s.debtorKind).toBe("consumer");
    const held = run(caseIn("handed_over"), { type: "block", reasons: ["x"] });
    const refused = decide(held, {
      command: { type: "classify_debtor", kind: "business" },
      actor: staff,
      reason: "r",
      occurredAt: at(9),
    });
    expect(!refused.ok && refused.error.code).toBe("already_handed_over");
  });

  test("a handover the platform shows paid before the claim went out is withdrawn, and never repeated", () => {
    let s = caseIn("running");
    for (const level of ["reminder_1", "reminder_2", "final_reminder"] as const)
      s = run(s, { type: "reach_level", level, nextActionAt: null });
    s = run(s, { type: "hand_over", partnerReference: null });
    s = run(s, { type: "withdraw_handover" }, 2);
    expect(s).toMatchObject({
      status: "running",
      nextActionAt: null,
      partnerSubStatus: null,
      dunningLevel: "final_reminder",
    });
    expect(
      decide(s, {
        command: { type: "hand_over", partnerReference: null },
        actor: staff,
        reason: null,
        occurredAt: at(3),
      }).ok,
    ).toBe(false);
    expect(run(s, { type: "payment", amount: EUR(s.outstanding.amountMinor), side: "shop" }, 4).status).toBe("paid");
  });

  test("reminder levels only in order", () => {
    const s = caseIn("running");
    const skip = decide(s, {
      command: { type: "reach_level", level: "reminder_2", nextActionAt: null },
      actor: staff,
      reason: null,
      occurredAt: at(2),
    });
    expect(!skip.ok && skip.error.code).toBe("level_out_of_order");
  });

  test("partial payments lower the outstanding amount; overpayment is recorded, outstanding never negative", () => {
    let s = run(caseIn("running"), { type: "payment", amount: EUR(3_000), side: "shop" }, 5, "pay-1");
    expect(s).toMatchObject({ status: "running", outstanding: EUR(7_000), overpayment: null });
    s = run(s, { type: "payment", amount: EUR(8_000), side: "partner" }, 6, "pay-2");
    expect(s).toMatchObject({ status: "paid", outstanding: EUR(0), overpayment: EUR(1_000) });
  });

  test("a payment in another currency or of zero is refused", () => {
    const s = caseIn("running");
    for (const amount of [{ amountMinor: 100, currency: "USD" }, EUR(0), EUR(-5)]) {
      const r = decide(s, {
        command: { type: "payment", amount, side: "shop" },
        actor: staff,
        reason: null,
        occurredAt: at(2),
      });
      expect(!r.ok && r.error.code).toBe("invalid_amount");
    }
  });

  test("uncollectible: option A cancels, option B fails", () => {
    const a = run(
      caseIn("handed_over"),
      { type: "partner_status", subStatus: "uncollectible", partnerReference: null, dunningOption: "A" },
      50,
    );
    expect(a.status).toBe("cancelled");
    const b = run(
      caseIn("handed_over"),
      { type: "partner_status", subStatus: "uncollectible", partnerReference: null, dunningOption: "B" },
      50,
    );
    expect(b).toMatchObject({ status: "failed", failureReasons: ["partner_uncollectible"] });
  });

  test("a refund to zero closes before start, cancels while running, asks the partner after handover", () => {
    const zero: CaseCommand = { type: "adjust_outstanding", outstanding: EUR(0), cause: "refund" };
    expect(run(caseIn("waiting_for_approval"), zero).status).toBe("closed");
    expect(run(caseIn("running"), zero).status).toBe("cancelled");
    expect(run(caseIn("handed_over"), zero)).toMatchObject({
      status: "handed_over",
      cancellationRequested: true,
      outstanding: EUR(0),
    });
  });

  test("the same external fact twice yields no new event", () => {
    const s = run(caseIn("running"), { type: "payment", amount: EUR(1_000), side: "shop" }, 5, "txn-1");
    const again = decide(s, {
      command: { type: "payment", amount: EUR(1_000), side: "shop" },
      actor: staff,
      reason: null,
      occurredAt: at(5),
      sourceId: "txn-1",
    });
    expect(again).toEqual({ ok: true, value: [] });
  });

  test("an older fact of a stream is recorded as stale and changes nothing", () => {
    let s = run(
      caseIn("running"),
      { type: "adjust_outstanding", outstanding: EUR(8_000), cause: "order_edit" },
      100,
      "snap-2",
    );
    const stale = execute(s, {
      command: { type: "adjust_outstanding", outstanding: EUR(9_000), cause: "order_edit" },
      actor: staff,
      reason: null,
      occurredAt: at(50),
      sourceId: "snap-1",
    });
    expect(stale.ok && stale.value.events.map((e) => e.type)).toEqual(["fact_stale_ignored"]);
    s = stale.ok ? stale.value.state : s;
    expect(s.outstanding).toEqual(EUR(8_000));
  });

  test("a newer fact with an unchanged amount still moves the stream's clock (found by the property below)", () => {
    const start = caseIn("running");
    const edit = (amount: number, minute: number, id: string) => ({
      command: { type: "adjust_outstanding" as const, outstanding: EUR(amount), cause: "order_edit" as const },
      actor: staff,
      reason: null,
      occurredAt: at(minute),
      sourceId: id,
    });
    const unchanged = start.outstanding.amountMinor;
    const inOrder = [edit(unchanged, 10, "a"), edit(unchanged, 11, "b")].reduce(
      (s, e) => (execute(s, e) as { ok: true; value: { state: Case } }).value.state,
      start,
    );
    const reversed = [edit(unchanged, 11, "b"), edit(unchanged, 10, "a")].reduce(
      (s, e) => (execute(s, e) as { ok: true; value: { state: Case } }).value.state,
      start,
    );
    expect(inOrder.factClock).toEqual(reversed.factClock);
    expect(inOrder.factClock.order).toBe(at(11).toISOString());
  });
});

// ---- properties ------------------------------------------------------------------------------------------

const commandArb: fc.Arbitrary<{ command: CaseCommand; minutes: number; sourceId: string | null }> = fc.record({
  command: fc.oneof(
    fc.constant<CaseCommand>(start),
    fc.constant<CaseCommand>({ type: "close" }),
    fc.constant<CaseCommand>({ type: "cancel" }),
    fc.constant<CaseCommand>({ type: "confirm_cancellation" }),
    fc.constantFrom("dispute_open", "order_edited").map<CaseCommand>((r) => ({ type: "block", reasons: [r] })),
    fc.constantFrom("dispute_open", "order_edited").map<CaseCommand>((r) => ({ type: "unblock", reasons: [r] })),
    fc.constant<CaseCommand>({ type: "fail", reasons: ["x"] }),
    fc.constant<CaseCommand>({ type: "retry" }),
    fc
      .constantFrom("reminder_1", "reminder_2", "final_reminder")
      .map<CaseCommand>((level) => ({ type: "reach_level", level: level as "reminder_1", nextActionAt: null })),
    fc.constant<CaseCommand>({ type: "hand_over", partnerReference: "P" }),
    fc.constantFrom("contacted", "payment_plan", "uncollectible").map<CaseCommand>((subStatus) => ({
      type: "partner_status",
      subStatus: subStatus as "contacted",
      partnerReference: null,
      dunningOption: "A",
    })),
    fc.integer({ min: 1, max: 6_000 }).map<CaseCommand>((n) => ({ type: "payment", amount: EUR(n), side: "shop" })),
    fc
      .integer({ min: 0, max: 12_000 })
      .map<CaseCommand>((n) => ({ type: "adjust_outstanding", outstanding: EUR(n), cause: "order_edit" })),
    fc.constant<CaseCommand>({ type: "order_cancelled" }),
  ),
  minutes: fc.integer({ min: 1, max: 10_000 }),
  sourceId: fc.option(fc.constantFrom("f1", "f2", "f3", "f4"), { nil: null }),
});

describe("properties", () => {
  test("over random command sequences: terminal stays terminal, one handover at most, outstanding ≥ 0, replay equals state", () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), (commands) => {
        const first = openCase({
          caseId: "c",
          shopId: "s",
          orderId: "o",
          kind: "invoice",
          original: EUR(10_000),
          outstanding: EUR(10_000),
          dueDate: "2026-10-20",
          actor: staff,
          occurredAt: T0,
          sourceId: null,
        });
        let state = applyEvent(null, first);
        const events: CaseEvent[] = [first];
        let terminalSince: CaseStatus | null = null;
        for (const { command, minutes, sourceId } of commands) {
          const result = execute(state, { command, actor: staff, reason: null, occurredAt: at(minutes), sourceId });
          if (!result.ok) continue;
          events.push(...result.value.events);
          state = result.value.state;
          if (terminalSince) expect(state.status).toBe(terminalSince);
          if (isTerminal(state.status)) terminalSince = state.status;
          expect(state.outstanding.amountMinor).toBeGreaterThanOrEqual(0);
        }
        expect(events.filter((e) => e.type === "handed_over").length).toBeLessThanOrEqual(1);
        expect(replay(events)).toEqual(state);
      }),
      { numRuns: 400 },
    );
  });

  /**
   * Order independence, stated exactly: on a running case, a set of facts of ONE stream — payments (distinct
   * source ids; they add up, including the one that pays in full and any overpayment), or order snapshots
   * (distinct times, positive amounts; last writer by occurredAt wins), or partner status reports (distinct
   * times; last writer wins) — delivered in any order and with duplicates, ends in the same status, outstanding,
   * overpayment, partner sub-status and fact clock. Facts of different streams do not commute in general (a
   * snapshot states the platform's whole outstanding amount), which is why each platform snapshot carries the
   * platform's own total and partner payments are reported to the partner, not inferred from snapshots.
   */
  test.each(["payment", "snapshot", "partner"] as const)(
    "the same set of %s facts in any delivery order, duplicated, gives the same final state",
    (kind) => {
      const fact =
        kind === "payment"
          ? fc.record({ kind: fc.constant("payment" as const), amount: fc.integer({ min: 1, max: 3_000 }) })
          : kind === "snapshot"
            ? fc.record({ kind: fc.constant("snapshot" as const), amount: fc.integer({ min: 1, max: 12_000 }) })
            : fc.record({ kind: fc.constant("partner" as const), amount: fc.integer({ min: 0, max: 2 }) });
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.record({ fact, minute: fc.integer({ min: 10, max: 100_000 }) }), {
            maxLength: 12,
            selector: (f) => f.minute,
          }),
          fc.infiniteStream(fc.nat()),
          (facts, noise) => {
            const envelopes: CommandEnvelope[] = facts.map(({ fact, minute }, i) => ({
              command:
                fact.kind === "payment"
                  ? { type: "payment", amount: EUR(fact.amount), side: "shop" }
                  : fact.kind === "snapshot"
                    ? { type: "adjust_outstanding", outstanding: EUR(fact.amount), cause: "order_edit" }
                    : {
                        type: "partner_status",
                        subStatus: (["contacted", "payment_plan", "disputed"] as const)[fact.amount]!,
                        partnerReference: null,
                        dunningOption: "A",
                      },
              actor: { type: "platform", id: "shopify" },
              reason: null,
              occurredAt: at(minute),
              sourceId: `fact-${i}`,
            }));
            const apply = (list: CommandEnvelope[]) =>
              list.reduce(
                (s, e) => {
                  const r = execute(s, e);
                  return r.ok ? r.value.state : s;
                },
                caseIn(kind === "partner" ? "handed_over" : "running"),
              );
            const view = (s: Case) => ({
              status: s.status,
              outstanding: s.outstanding,
              overpayment: s.overpayment,
              partnerSubStatus: s.partnerSubStatus,
              factClock: s.factClock,
            });
            const inOrder = apply([...envelopes].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()));
            const it = noise[Symbol.iterator]();
            const shuffled = [...envelopes, ...envelopes.filter(() => (it.next().value as number) % 2 === 0)]
              .map((e) => ({ e, k: it.next().value as number }))
              .sort((a, b) => a.k - b.k)
              .map((x) => x.e);
            expect(view(apply(shuffled))).toEqual(view(inOrder));
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});
