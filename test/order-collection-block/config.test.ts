// The order page block's configuration against the package it is built with: the toml's API version matches the
// pinned @shopify/ui-extensions, its target exists there, its module is present, and both locales have every key.
import { existsSync, readFileSync } from "node:fs";

import { expect, test } from "vitest";

const DIR = "extensions/order-collection-block";
const toml = readFileSync(`${DIR}/shopify.extension.toml`, "utf8");
const field = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*"([^"]+)"`, "m").exec(toml)?.[1];

test("api_version is the pinned package's version, in the extension and in the app", () => {
  const pinned = (JSON.parse(readFileSync(`${DIR}/package.json`, "utf8")) as { dependencies: Record<string, string> })
    .dependencies["@shopify/ui-extensions"]!;
  const root = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies: Record<string, string> };
  expect(root.devDependencies["@shopify/ui-extensions"]).toBe(pinned);
  const [year, month] = pinned.split(".");
  expect(field("api_version")).toBe(`${year}-${month!.padStart(2, "0")}`);
});

test("the target is one the package declares for the admin, and the module exists", () => {
  const targets = readFileSync(
    "node_modules/@shopify/ui-extensions/build/ts/surfaces/admin/extension-targets.d.ts",
    "utf8",
  );
  expect(field("target")).toBe("admin.order-details.block.render");
  expect(targets).toContain(`'${field("target")}': RenderExtension<BlockExtensionApi<`);
  expect(existsSync(`${DIR}/${field("module")}`)).toBe(true);
  expect(field("handle")).toBe("order-collection-block");
});

test("German and English have the same keys", () => {
  const keys = (file: string) => {
    const out: string[] = [];
    const walk = (node: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(node))
        if (typeof v === "object" && v) walk(v as Record<string, unknown>, `${prefix}${k}.`);
        else out.push(`${prefix}${k}`);
    };
    walk(JSON.parse(readFileSync(`${DIR}/locales/${file}`, "utf8")) as Record<string, unknown>, "");
    return out.sort();
  };
  expect(keys("de.json")).toEqual(keys("en.default.json"));
});
