import { z } from "zod";

/** Start, cancel or classify needs a reason for the timeline: 1–500 characters, the same rule for tab, API and CLI. */
export const REASON_MAX = 500;

export const caseReason = z
  .string()
  .trim()
  .min(1, "reason is required")
  .max(REASON_MAX, `reason is at most ${REASON_MAX} characters`);
