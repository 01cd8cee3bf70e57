import type { DunningLevel } from "../case/status";
import { type Money, money } from "../money";
import type { Settings } from "../settings";

/**
 * Reminder fees as courts accept them (docs/dunning-and-the-law.md): the first reminder puts the debtor in default and
 * so costs nothing (the costs of the reminder that causes default are not damage caused by default), and a later one
 * may charge only what it really cost — postage and paper, no staff time. Whatever the settings say, no reminder
 * charges more than MAX_REMINDER_FEE_MINOR; above TYPICAL_COST_MINOR the settings page warns.
 */
export const MAX_REMINDER_FEE_MINOR = 500;
/** A printed letter: postage (0.95 € in Germany) and paper; an e-mail costs next to nothing. */
export const TYPICAL_COST_MINOR = 150;

/** What the reminder of `level` charges, or null. */
export function reminderFee(level: DunningLevel, fees: Settings["fees"], currency: string): Money | null {
  if (level === "reminder_1") return null;
  const minor = Math.min(Math.max(0, fees[level]), MAX_REMINDER_FEE_MINOR);
  return minor > 0 ? money(minor, currency) : null;
}

/** The settings' fees that exceed what a reminder typically costs (for the warning on the settings page). */
export function feesAboveCost(fees: Settings["fees"]): DunningLevel[] {
  return (Object.keys(fees) as DunningLevel[]).filter(
    (level) => level !== "reminder_1" && fees[level] > TYPICAL_COST_MINOR,
  );
}
