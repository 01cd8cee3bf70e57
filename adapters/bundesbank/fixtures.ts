import { readFileSync } from "node:fs";

/**
 * The Bundesbank's answer for the base-rate series as SDMX-ML 2.1 generic data (fixtures/base-rate.sdmx.xml; where its
 * shape and values come from is written at its top): month-ends from January 2020 to March 2026.
 */
export const BASE_RATE_ANSWER = readFileSync(new URL("./fixtures/base-rate.sdmx.xml", import.meta.url), "utf8");

/** The recorded answer with more month-ends appended, e.g. a half-year the shipped table does not know yet. */
export function baseRateAnswerWith(extra: [month: string, value: string][]): string {
  const obs = extra
    .map(
      ([month, value]) =>
        `      <generic:Obs>\n        <generic:ObsDimension value="${month}"/>\n        <generic:ObsValue value="${value}"/>\n      </generic:Obs>\n`,
    )
    .join("");
  return BASE_RATE_ANSWER.replace("    </generic:Series>", `${obs}    </generic:Series>`);
}
