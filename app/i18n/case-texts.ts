import { formatDate } from "#app/utils/format";

import type { MessageKey, Translate } from "./i18n";

/*
 * Case texts shown in more than one place: the tab (list, case page) and the order screens of Shopify admin and
 * WooCommerce, which get them as text from the server so that every surface says the same thing.
 */

const NEXT_STEP: Record<string, MessageKey> = {
  none: "next.reminder_1",
  reminder_1: "next.reminder_2",
  reminder_2: "next.final_reminder",
  final_reminder: "next.handover",
};

/** What happens next to a case, and when: the next reminder while it runs, who has it otherwise; null when nothing. */
export function nextActionText(
  t: Translate,
  intl: string,
  c: { status: string; level: string | null; date: string | null },
): string | null {
  if (c.status === "waiting_for_approval") return t("next.approval");
  if (c.status === "handed_over") return t("next.partner");
  if (c.status === "failed") return t("next.fix");
  if (c.status === "blocked") return t("next.blocked");
  if (c.status !== "running") return null;
  const step = t(NEXT_STEP[c.level ?? "none"] ?? "next.handover");
  return c.date ? t("next.on", { step, date: formatDate(c.date, intl) }) : step;
}

export type EventDetail = {
  level: string | null;
  subStatus: string | null;
  amountMinor: number | null;
};

/** A timeline entry's headline: the event, with the level, the partner's status or the amount it concerns. */
export function eventTitle(
  t: Translate,
  event: { type: string; detail: EventDetail },
  money: (minor: number) => string,
): string {
  const { detail } = event;
  return [
    t(`event.${event.type}` as MessageKey),
    detail.level ? `: ${t(`level.${detail.level}` as MessageKey)}` : "",
    detail.subStatus ? `: ${t(`partner.${detail.subStatus}` as MessageKey)}` : "",
    detail.amountMinor !== null ? `: ${money(detail.amountMinor)}` : "",
  ].join("");
}

/** Who acted: "Staff: Anna Schmidt (wp:42)", "Schedule: dunning.sweep". */
export function actorText(
  t: Translate,
  event: { actorType: string; actorId: string; actorName: string | null },
): string {
  const who = event.actorName ? `${event.actorName} (${event.actorId})` : event.actorId;
  return `${t(`actor.${event.actorType}` as MessageKey)}: ${who}`;
}
