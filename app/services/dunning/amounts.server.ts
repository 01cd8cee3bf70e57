import { and, asc, eq, inArray } from "drizzle-orm";

import type { DbOrTx } from "#app/db/client.server";
import { caseEvents, type CaseRow, type OrderRow, type Shop } from "#app/db/schema";
import type { Case } from "#app/domain/case/case";
import { DUNNING_LEVELS, type DunningLevel } from "#app/domain/case/status";
import { type LocalDate, toLocalDate } from "#app/domain/dates";
import { type AmountsOwed, amountsOwed, type ChargedReminder, type ReceivedPayment } from "#app/domain/dunning/amounts";
import type { BaseRateTable } from "#app/domain/dunning/base-rates";
import { classifyDebtor, type DebtorClassification } from "#app/domain/dunning/debtor";
import { reminderFee } from "#app/domain/dunning/fees";
import type { Money } from "#app/domain/money";
import type { Settings } from "#app/domain/settings";
import { caseFromJson } from "#app/services/cases/serialization";

/**
 * What a case's debtor owes on a day, from its events: the one place the reminders, the claim and the case page get
 * their figures (app/domain/dunning/amounts.ts has the rules).
 */
export async function caseAmounts(
  db: DbOrTx,
  input: {
    shop: Shop;
    caseRow: CaseRow;
    order: OrderRow | undefined;
    settings: Settings;
    on: LocalDate;
    baseRates: BaseRateTable;
    upToLevel?: DunningLevel;
  },
): Promise<{ owed: AmountsOwed; reached: ReachedReminder[]; debtor: DebtorClassification }> {
  const events = await db
    .select({ type: caseEvents.type, data: caseEvents.data, occurredAt: caseEvents.occurredAt })
    .from(caseEvents)
    .where(and(eq(caseEvents.caseId, input.caseRow.id), inArray(caseEvents.type, AMOUNT_EVENTS)))
    .orderBy(asc(caseEvents.seq));
  return amountsFromEvents({ ...input, state: caseFromJson(input.caseRow.state), events });
}

/** The case events the amounts are computed from. */
export const AMOUNT_EVENTS = ["dunning_level_reached", "payment_received"];

export type AmountEvent = { type: string; data: unknown; occurredAt: Date };

/**
 * caseAmounts for a caller that read the case's AMOUNT_EVENTS itself (in seq order), e.g. for many cases in one query
 * (payment matching): the same computation, so a figure matched against is the figure a reminder printed.
 */
export function amountsFromEvents(input: {
  shop: Pick<Shop, "timezone">;
  state: Case;
  order: Pick<OrderRow, "customer"> | undefined;
  settings: Settings;
  events: AmountEvent[];
  on: LocalDate;
  baseRates: BaseRateTable;
  upToLevel?: DunningLevel;
}): { owed: AmountsOwed; reached: ReachedReminder[]; debtor: DebtorClassification } {
  const { shop, state, order, settings, events } = input;
  const reached = events
    .filter((e) => e.type === "dunning_level_reached")
    .map((e) => reachedReminder(e.data, e.occurredAt, shop.timezone, settings, state.outstanding.currency));
  const payments: ReceivedPayment[] = events
    .filter((e) => e.type === "payment_received")
    .map((e) => ({ on: toLocalDate(e.occurredAt, shop.timezone), amount: (e.data as { amount: Money }).amount }));
  const debtor = classifyDebtor(order?.customer, state.debtorKind);
  const owed = amountsOwed({
    outstanding: state.outstanding,
    dueDate: state.dueDate,
    firstDeadline: state.firstDeadline ?? reached[0]?.legacyDeadline ?? null,
    debtor: debtor.kind,
    consumerInvoiceWarns: settings.consumerInvoiceWarns,
    reminders: input.upToLevel
      ? reached.filter((r) => DUNNING_LEVELS.indexOf(r.level) <= DUNNING_LEVELS.indexOf(input.upToLevel!))
      : reached,
    payments,
    flatFeeEnabled: settings.flatFeeB2B,
    on: input.on,
    baseRates: input.baseRates,
  });
  return { owed, reached, debtor };
}

export type ReachedReminder = ChargedReminder & { deadline: LocalDate | null; legacyDeadline: LocalDate | null };

/**
 * A reminder a case reached, with the deadline and fee it recorded. Events from before deadlines were recorded carry
 * neither: their deadline was the next step's day (nextActionAt), their fee the setting of the time.
 */
function reachedReminder(
  data: unknown,
  occurredAt: Date,
  timeZone: string,
  settings: Pick<Settings, "fees">,
  currency: string,
): ReachedReminder {
  const d = data as {
    level: DunningLevel;
    nextActionAt?: string | null;
    paymentDeadline?: LocalDate | null;
    fee?: Money | null;
  };
  const recorded = "paymentDeadline" in d;
  return {
    level: d.level,
    sentOn: toLocalDate(occurredAt, timeZone),
    fee: recorded ? (d.fee ?? null) : reminderFee(d.level, settings.fees, currency),
    deadline: d.paymentDeadline ?? null,
    legacyDeadline: !recorded && d.nextActionAt ? toLocalDate(new Date(d.nextActionAt), timeZone) : null,
  };
}
