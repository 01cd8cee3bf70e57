import type { SerializeFrom } from "@remix-run/node";

import type { action, loader } from "./route";

export type CasesIndexData = SerializeFrom<typeof loader>;
export type CaseListRow = CasesIndexData["cases"][number];
export type CasesActionData = SerializeFrom<typeof action>;
/** What staff do to cases from the list; each needs a reason. */
export type RowIntent = "start" | "cancel";
