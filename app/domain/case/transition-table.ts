import { CASE_STATUSES } from "./status";
import { COMMAND_TYPES, TRANSITIONS } from "./transitions";

/** The transition table as markdown, for docs/case-lifecycle.md (a test keeps the two equal). */
export function transitionTableMarkdown(): string {
  const header = `| command | ${CASE_STATUSES.join(" | ")} |`;
  const rule = `|---|${CASE_STATUSES.map(() => ":-:").join("|")}|`;
  const rows = COMMAND_TYPES.map(
    (c) => `| \`${c}\` | ${CASE_STATUSES.map((s) => (TRANSITIONS[c].includes(s) ? "✓" : "·")).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}
