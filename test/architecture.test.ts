// The layering of docs/decisions/011-services-by-capability.md, checked: the lint fences bite, and the layout the
// README draws is the layout on disk.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";

const eslint = new ESLint();
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("import order", () => {
  const sortMessages = async (code: string) =>
    ((await eslint.lintText(code, { filePath: "app/services/cases/order-probe.server.ts" }))[0]?.messages ?? []).filter(
      (m) => m.ruleId === "simple-import-sort/imports",
    );

  test("imports out of order fail lint; side-effect imports stay first, in their own order", async () => {
    expect(
      await sortMessages('import { z } from "zod";\nimport { sql } from "drizzle-orm";\nexport const p = [z, sql];\n'),
    ).not.toEqual([]);
    // The msw setup must run before any @shopify/* module captures fetch: its order is kept.
    const sideEffectsFirst = [
      'import "./setup-msw";',
      'import "@shopify/shopify-app-remix/adapters/node";',
      "",
      'import { sql } from "drizzle-orm";',
      'import { z } from "zod";',
      "",
      "export const p = [z, sql];",
      "",
    ].join("\n");
    expect(await sortMessages(sideEffectsFirst)).toEqual([]);
  });
});

describe("lint fences", () => {
  test.each([
    ["#app/web/shop-context.server", "requireShopContext"],
    ["#app/web/api/schemas", "apiActionBody"],
    ["#app/routes/app.cases.$caseId", "loader"],
    ["#app/jobs/queue.server", "enqueue"],
    ["#app/shopify.server", "getShopify"],
    ["#app/demo/seed.server", "seedDemo"],
    ["@remix-run/node", "redirect"],
  ])("a service importing %s fails lint", async (from, name) => {
    const messages = await restrictedImports(
      "app/services/cases/fence-probe.server.ts",
      `import { ${name} } from "${from}";\nexport const probe = ${name};\n`,
    );
    expect(messages.join("\n")).toContain("app/services is called by the web layer");
  });

  test("a service importing another capability, the domain, the database or an adapter passes", async () => {
    const code = [
      'import { caseDetail } from "#app/services/cases/page.server";',
      'import { classifyDebtor } from "#app/domain/dunning/debtor";',
      'import { getDb } from "#app/db/db.server";',
      'import { normalizeWooOrder } from "#adapters/woocommerce/normalize";',
      "export const probe = [caseDetail, classifyDebtor, getDb, normalizeWooOrder];",
      "",
    ].join("\n");
    expect(await restrictedImports("app/services/dunning/fence-probe.server.ts", code)).toEqual([]);
  });

  test("the domain imports neither services nor the web layer; adapters not the app", async () => {
    expect(
      await restrictedImports(
        "app/domain/fence-probe.ts",
        'import { caseDetail } from "#app/services/cases/page.server";\nexport const p = caseDetail;\n',
      ),
    ).not.toEqual([]);
    expect(
      await restrictedImports(
        "app/domain/fence-probe.ts",
        'import { requireShopContext } from "#app/web/shop-context.server";\nexport const p = requireShopContext;\n',
      ),
    ).not.toEqual([]);
    expect(
      await restrictedImports(
        "adapters/shopify/fence-probe.ts",
        'import { getSettings } from "#app/services/settings/settings.server";\nexport const p = getSettings;\n',
      ),
    ).not.toEqual([]);
  });
});

test("every folder the README's architecture section names exists", () => {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(
    readme.indexOf("## Architecture"),
    readme.indexOf("\n## ", readme.indexOf("## Architecture") + 1),
  );
  const folders = [...section.matchAll(/`((?:app|adapters|test|bench|docs|drizzle|extensions)\/[\w./-]*\/)`/g)].map(
    (m) => m[1]!,
  );
  expect(folders.length).toBeGreaterThan(15);
  expect(folders.filter((folder) => !existsSync(folder))).toEqual([]);
});

test("the code cites facts inside the repository, and every cited section exists", () => {
  const tracked = execFileSync("git", ["ls-files", "*.ts", "*.tsx", "*.md"], { encoding: "utf8" })
    .split("\n")
    .filter((f) => f && existsSync(f));
  const outside: string[] = [];
  const missing: string[] = [];
  for (const file of tracked) {
    const text = readFileSync(file, "utf8");
    if (file !== "test/architecture.test.ts" && /\.\.\/shared\/|\bSTYLE\.md|\bPRODUCT\.md/.test(text))
      outside.push(file);
    for (const [, doc, section] of text.matchAll(/(docs\/platforms\/[\w-]+\.md) §(\d+)/g)) {
      const target = readFileSync(doc!, "utf8");
      if (!new RegExp(`^## §${section}\\b`, "m").test(target)) missing.push(`${file}: ${doc} §${section}`);
    }
  }
  expect(outside).toEqual([]);
  expect(missing).toEqual([]);
});
