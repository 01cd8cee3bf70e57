import { describe, expect, test } from "vitest";

import { EnvError, parseEnv } from "./env.server";

const shopify = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://mahnwerk.example.com",
  SCOPES: "read_orders,write_orders",
};

describe("env", () => {
  test("an empty environment is the embedded demo on port 3000", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATA_DIR: "./.data",
      LOG_LEVEL: "info",
      demoMode: true,
      database: "pglite",
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  test("DATABASE_URL selects PostgreSQL; all four Shopify values leave demo mode", () => {
    const env = parseEnv({ DATABASE_URL: "postgres://u@db:5432/mahnwerk", ...shopify });
    expect(env.database).toBe("postgres");
    expect(env.demoMode).toBe(false);
    expect(parseEnv({ ...shopify, DEMO: "1" }).demoMode).toBe(true);
  });

  test("WORKERS=0 keeps the web process from working; the sandbox partner's port is 0 (any free one) unless set", () => {
    expect(parseEnv({})).toMatchObject({ WORKERS: true, SANDBOX_PARTNER_PORT: 0 });
    expect(parseEnv({ WORKERS: "0", SANDBOX_PARTNER_PORT: "4010" })).toMatchObject({
      WORKERS: false,
      SANDBOX_PARTNER_PORT: 4010,
    });
  });

  test("DEMO=0 without Shopify credentials is a WooCommerce-only installation, not the demo", () => {
    expect(parseEnv({}).demoMode).toBe(true);
    expect(parseEnv({ DEMO: "0" }).demoMode).toBe(false);
    expect(parseEnv({ DEMO: "" }).demoMode).toBe(true);
  });

  test.each([
    [{ PORT: "abc" }, /^Invalid environment: PORT must be a number$/],
    [{ PORT: "70000" }, /PORT must be between 1 and 65535/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ DEMO: "maybe" }, /DEMO expected 1\/0, true\/false/],
    [{ ENCRYPTION_KEY: "short" }, /ENCRYPTION_KEY must be 32 bytes/],
    [{ SMTP_URL: "http://mail" }, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [
      { SHOPIFY_API_KEY: "key" },
      /SHOPIFY_API_SECRET is missing: set all of SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL, SCOPES or none \(demo mode\); SHOPIFY_API_KEY is set/,
    ],
    [{ ...shopify, SHOPIFY_APP_URL: "not a url" }, /SHOPIFY_APP_URL must be an https:\/\/ URL/],
    [{ ...shopify, NODE_ENV: "production" }, /ENCRYPTION_KEY is required in production/],
    [{ WORKERS: "sometimes" }, /WORKERS expected 1\/0, true\/false/],
    [{ SANDBOX_PARTNER_PORT: "80a" }, /SANDBOX_PARTNER_PORT must be a port number/],
    [{ SANDBOX_PARTNER_PORT: "70000" }, /SANDBOX_PARTNER_PORT must be a port number/],
  ])("rejects %j with one clear line naming the variable", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  test("production: npm start's embedded demo stays implicit; on PostgreSQL the demo must be asked for", () => {
    expect(parseEnv({ NODE_ENV: "production" }).demoMode).toBe(true);
    expect(() => parseEnv({ NODE_ENV: "production", DATABASE_URL: "postgres://u@db:5432/mahnwerk" })).toThrow(
      /DEMO is unset on PostgreSQL without Shopify credentials/,
    );
    expect(
      parseEnv({ NODE_ENV: "production", DATABASE_URL: "postgres://u@db:5432/mahnwerk", DEMO: "1" }).demoMode,
    ).toBe(true);
    expect(
      parseEnv({
        NODE_ENV: "production",
        DATABASE_URL: "postgres://u@db:5432/mahnwerk",
        ...shopify,
        ENCRYPTION_KEY: "ab".repeat(32),
      }).demoMode,
    ).toBe(false);
  });

  test("links come from APP_URL, else SHOPIFY_APP_URL, never from a request; production outside the demo needs one", () => {
    expect(parseEnv({ APP_URL: "https://mahnwerk.example.com/" })).toMatchObject({
      appUrl: "https://mahnwerk.example.com",
      refuseOtherHosts: true,
    });
    expect(parseEnv({ ...shopify })).toMatchObject({ appUrl: "https://mahnwerk.example.com", refuseOtherHosts: false });
    expect(parseEnv({ PORT: "4000" })).toMatchObject({ appUrl: "http://localhost:4000", refuseOtherHosts: false });
    expect(() => parseEnv({ NODE_ENV: "production", DEMO: "0" })).toThrow(
      /APP_URL is required in production outside demo mode/,
    );
    expect(() => parseEnv({ APP_URL: "ftp://x" })).toThrow(/APP_URL must be an http:\/\/ or https:\/\/ URL/);
  });

  test("empty strings count as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", SHOPIFY_API_KEY: " " }).database).toBe("pglite");
  });

  test("accepts a hex or base64 32-byte ENCRYPTION_KEY", () => {
    expect(parseEnv({ ENCRYPTION_KEY: "a".repeat(64) }).ENCRYPTION_KEY).toBe("a".repeat(64));
    expect(parseEnv({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }).ENCRYPTION_KEY).toBeDefined();
  });

  test("RIVERTY_ENDPOINTS must be the JSON of the environments' endpoints", () => {
    const json = JSON.stringify({
      sandbox: { baseUrl: "https://collect.example", authUrl: "https://auth.example/oauth/token" },
    });
    expect(parseEnv({ RIVERTY_ENDPOINTS: json }).RIVERTY_ENDPOINTS).toBe(json);
    expect(() => parseEnv({ RIVERTY_ENDPOINTS: '{"sandbox":{"baseUrl":"nope"}}' })).toThrow(
      /^Invalid environment: RIVERTY_ENDPOINTS must be JSON like/,
    );
  });
});
