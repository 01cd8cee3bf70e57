import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.{ts,tsx}", "adapters/**/*.test.ts", "test/**/*.test.{ts,tsx}"],
    // msw must be listening before any @shopify/* module captures its own `fetch`.
    setupFiles: ["./test/setup/msw.ts"],
    globalSetup: ["./test/setup/optional-programs.ts"],
    // Generous: tests wait for conditions, and a loaded two-core machine makes database tests several times slower.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
