import { z } from "zod";

import { getEnv } from "#app/config/env.server";
import { getDb } from "#app/db/db.server";
import { refreshBaseRates } from "#app/services/dunning/base-rates.server";
import { runDunningSweep } from "#app/services/dunning/sweep.server";
import { logger } from "#app/utils/logger.server";

import { defineJob } from "./jobs.server";

export const dunningJobs = [
  defineJob({
    // Opens cases for newly overdue orders and moves running ones on; safe to run in every worker at once.
    name: "dunning.sweep",
    schedule: "*/5 * * * *",
    schema: z.object({}),
    handle: async () => {
      const report = await runDunningSweep(await getDb(), new Date());
      if (report.opened || report.advanced) logger.info(report, "dunning sweep");
    },
    queue: { retryLimit: 2, expireInSeconds: 30 * 60 },
  }),
  defineJob({
    // The base rate (§ 247 BGB) from the Bundesbank's statistics API into base_rates (docs/dunning-and-the-law.md,
    // rule 12). A failure leaves the table as it was (interest keeps the shipped table and BASE_RATES_FILE): a
    // warning, and tomorrow's run tries again. Safe beside itself: writing the same rates twice changes nothing.
    name: "base-rates.refresh",
    schedule: "41 5 * * *",
    schema: z.object({}),
    handle: async () => {
      const outcome = await refreshBaseRates(await getDb(), { now: new Date(), url: getEnv().BASE_RATES_URL });
      if (!outcome.ok) {
        logger.warn(
          { source: outcome.source, error: outcome.error },
          "base-rate refresh failed; the base-rate table stays as it was",
        );
        return;
      }
      // What changed: { added: [{ from, rateBp }], changed: [{ from, wasBp, rateBp }], knownThrough, … }. A stored rate
      // that changed, one that differs from the shipped table, or a rejected observation is worth a look: a warning.
      const { ok: _ok, ...report } = outcome;
      if (report.changed.length || report.differFromBuiltIn.length || report.rejected.length)
        logger.warn(report, "base-rate refresh: check the rates");
      else
        logger.info(
          report,
          report.added.length ? "base-rate refresh: new rates stored" : "base-rate refresh: no change",
        );
    },
    queue: { retryLimit: 0, expireInSeconds: 5 * 60 },
  }),
];
