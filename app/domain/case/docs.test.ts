import { readFileSync } from "node:fs";

import { expect, test } from "vitest";

import { transitionTableMarkdown } from "./transition-table";

test("docs/case-lifecycle.md shows exactly the transition table in code", () => {
  expect(readFileSync("docs/case-lifecycle.md", "utf8")).toContain(transitionTableMarkdown());
});
