import { readFileSync } from "node:fs";

import { expect, test } from "vitest";

test("tests run on the project's own Node runtime, not the machine's", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
  const wanted = Number(pkg.dependencies.node?.replace(/^\D*/, "").split(".")[0]);
  expect(Number(process.versions.node.split(".")[0])).toBe(wanted);
});
