import type { Case } from "../case/case";
import type { DunningLevel } from "../case/status";
import { addDays, type LocalDate, localTimeOfDay, toLocalDate, zonedTime } from "../dates";

/** Days after the previous step (the due date for the first reminder). */
export type DunningSchedule = { reminder_1: number; reminder_2: number; final_reminder: number; handover: number };

export const DEFAULT_SCHEDULE: DunningSchedule = { reminder_1: 5, reminder_2: 10, final_reminder: 7, handover: 7 };

export type SendWindow = { startHour: number; endHour: number; skipSundays: boolean };
export const DEFAULT_SEND_WINDOW: SendWindow = { startHour: 8, endHour: 20, skipSundays: false };

export type NextStep = { step: DunningLevel | "handover"; date: LocalDate };

const ORDER: (DunningLevel | "handover")[] = ["reminder_1", "reminder_2", "final_reminder", "handover"];

/**
 * The next step of a running case and its calendar date in the shop's zone. Each step counts from the date the
 * previous one was planned (not sent), so a late send window does not push the whole schedule.
 */
export function nextStep(
  state: Pick<Case, "dueDate" | "dunningLevel">,
  schedule: DunningSchedule,
  lastStepDate: LocalDate | null,
): NextStep {
  const index = state.dunningLevel === null ? 0 : ORDER.indexOf(state.dunningLevel) + 1;
  const step = ORDER[index] ?? "handover";
  const from = index === 0 ? state.dueDate : (lastStepDate ?? state.dueDate);
  return { step, date: addDays(from, schedule[step]) };
}

/** All planned step dates from the due date (for display and tests). */
export function plannedDates(
  dueDate: LocalDate,
  schedule: DunningSchedule,
): Record<DunningLevel | "handover", LocalDate> {
  const reminder_1 = addDays(dueDate, schedule.reminder_1);
  const reminder_2 = addDays(reminder_1, schedule.reminder_2);
  const final_reminder = addDays(reminder_2, schedule.final_reminder);
  return { reminder_1, reminder_2, final_reminder, handover: addDays(final_reminder, schedule.handover) };
}

/**
 * The instant a step planned for a local date may happen: the start of the send window that day, or the next
 * allowed day when Sundays are skipped. Handover is not bound to the window (no one is woken by it), but uses the
 * same start so the timeline reads naturally.
 */
export function stepInstant(date: LocalDate, window: SendWindow, timeZone: string): Date {
  let day = date;
  for (let i = 0; i < 7; i++) {
    const at = zonedTime(day, window.startHour, 0, timeZone);
    if (!(window.skipSundays && localTimeOfDay(at, timeZone).weekday === 0)) return at;
    day = addDays(day, 1);
  }
  return zonedTime(date, window.startHour, 0, timeZone);
}

/** Moves an instant into the send window (same day if before it, next allowed day if after it). */
export function applySendWindow(at: Date, window: SendWindow, timeZone: string): Date {
  const local = localTimeOfDay(at, timeZone);
  const today = toLocalDate(at, timeZone);
  const inWindow = local.hour >= window.startHour && local.hour < window.endHour;
  const sundayBlocked = window.skipSundays && local.weekday === 0;
  if (inWindow && !sundayBlocked) return at;
  const day = local.hour < window.startHour && !sundayBlocked ? today : addDays(today, 1);
  return stepInstant(day, window, timeZone);
}
