import { desc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { DbOrTx } from "#app/db/client.server";
import { settings as settingsTable } from "#app/db/schema";
import { checkDunningOptionChange } from "#app/domain/policies";
import { parseSettings, SETTINGS_DEFAULTS, settingsSchema, type Settings } from "#app/domain/settings";

/** The shop's current settings (defaults until the first save). */
export async function getSettings(db: DbOrTx, shopId: string): Promise<Settings & { version: number }> {
  const [row] = await db
    .select()
    .from(settingsTable)
    .where(eq(settingsTable.shopId, shopId))
    .orderBy(desc(settingsTable.version))
    .limit(1);
  if (!row) return { ...SETTINGS_DEFAULTS, version: 0 };
  const parsed = parseSettings(row.data);
  // A stored version that no longer parses (a field was removed) falls back to defaults field by field.
  return { ...(parsed.success ? parsed.data : SETTINGS_DEFAULTS), version: row.version };
}

export type SettingsUpdateResult =
  | { ok: true; settings: Settings; version: number }
  | { ok: false; error: { code: "invalid"; issues: z.core.$ZodIssue[] } | { code: "dunning_option_locked"; possibleFrom: Date; message: string } | { code: "conflict"; message: string } };

/**
 * Saves a new version: validated, the 30-day lock on the dunning option enforced, every version kept with who
 * changed it. `expectedVersion` (from the form) turns a concurrent edit into a conflict instead of a silent overwrite.
 */
export async function updateSettings(
  db: DbOrTx,
  shopId: string,
  input: unknown,
  meta: { changedBy: string; now: Date; expectedVersion?: number },
): Promise<SettingsUpdateResult> {
  const current = await getSettings(db, shopId);
  if (meta.expectedVersion !== undefined && meta.expectedVersion !== current.version) {
    return { ok: false, error: { code: "conflict", message: "The settings were changed meanwhile; reload and try again." } };
  }
  const parsed = settingsSchema.safeParse({ ...stripVersion(current), ...(input as object) });
  if (!parsed.success) return { ok: false, error: { code: "invalid", issues: parsed.error.issues } };
  let next = parsed.data;
  if (next.dunningOption !== current.dunningOption) {
    const check = checkDunningOptionChange(current, next.dunningOption, meta.now);
    if (!check.ok) return { ok: false, error: check.error };
    next = { ...next, dunningOptionChangedAt: meta.now.toISOString() };
  } else {
    next = { ...next, dunningOptionChangedAt: current.dunningOptionChangedAt };
  }
  const version = current.version + 1;
  const inserted = await db
    .insert(settingsTable)
    .values({ shopId, version, data: next, changedBy: meta.changedBy, changedAt: meta.now })
    .onConflictDoNothing()
    .returning({ version: settingsTable.version });
  if (inserted.length === 0) return { ok: false, error: { code: "conflict", message: "The settings were changed meanwhile; reload and try again." } };
  return { ok: true, settings: next, version };
}

export async function settingsHistory(db: DbOrTx, shopId: string) {
  return db.select().from(settingsTable).where(eq(settingsTable.shopId, shopId)).orderBy(desc(settingsTable.version));
}

function stripVersion(s: Settings & { version: number }): Settings {
  const { version: _version, ...rest } = s;
  return rest;
}
