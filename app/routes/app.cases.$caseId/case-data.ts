import type { loader } from "./route";

/** What the loader hands the page; each part below takes its slice of it, so a change of shape fails typecheck. */
export type CaseData = Awaited<ReturnType<typeof loader>>;
export type CaseView = CaseData["case"];
export type CaseEvent = CaseData["events"][number];
