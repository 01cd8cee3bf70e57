import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import simpleImportSort from "eslint-plugin-simple-import-sort";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/**",
      "node_modules/**",
      ".data/**",
      "bench/results/**",
      "test-results/**",
      "extensions/woocommerce/**/*.php",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks, "simple-import-sort": simpleImportSort },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Side-effect imports stay first and in their order (the msw setup must run before any @shopify/* import).
      "simple-import-sort/imports": "error",
      "simple-import-sort/exports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // Domain logic stays pure: no database, no network, no environment, no framework.
    files: ["app/domain/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            // A regex, not a gitignore group: in gitignore syntax a leading "#" starts a comment, so "#app/…" matched nothing.
            {
              regex:
                "^(#app/(db|services|web|demo|jobs|routes)/|#adapters/|node:|drizzle-orm|pg-boss$|postgres$|@shopify/|@remix-run/)",
              message: "app/domain is pure: pass data in, return data out.",
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "fetch", message: "no I/O in app/domain" },
        { name: "process", message: "no environment in app/domain" },
      ],
    },
  },
  {
    // Adapters see the domain and their SDKs, never the app's database or services.
    files: ["adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^#app/(db|services|web|demo|jobs|routes)/", message: "adapters import only app/domain" },
          ],
        },
      ],
    },
  },
  {
    // Services do the work of a capability for any caller (tab, API, CLI, worker): they know nothing of requests,
    // routes, the job queue, the Shopify app object or the demo (docs/decisions/011-services-by-capability.md).
    files: ["app/services/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex:
                "^(#app/(web|routes|jobs|demo)/|#app/shopify\\.server$|@remix-run/|(\\.\\./)+(web|routes|jobs|demo)/)",
              message: "app/services is called by the web layer, routes and jobs, never the other way round.",
            },
          ],
        },
      ],
    },
  },
);
