import { z } from "zod";

import { mediafinanzEnvironments } from "#adapters/partners/mediafinanz/protocol";
import { rivertyEnvironments } from "#adapters/partners/riverty/adapter";

/**
 * The one place that reads process.env. Web, worker and CLI all parse the same schema,
 * so a bad value fails every entry point with the same message.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/** 1/0, true/false, yes/no, on/off; unset (or empty) is undefined, so a default can depend on other variables. */
const optionalFlag = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
    ctx.addIssue({ code: "custom", message: `expected 1/0, true/false, yes/no or on/off, got "${v}"` });
    return z.NEVER;
  });

const booleanFlag = optionalFlag.transform((v) => v ?? false);

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === "postgres:" || u.protocol === "postgresql:";
    } catch {
      return false;
    }
  }, "must be a postgres:// or postgresql:// URL");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 65535")
      .max(65535, "must be between 1 and 65535")
      .default(3000),
    HOST: z.string().trim().min(1).default("0.0.0.0"),
    DATABASE_URL: optionalString.pipe(postgresUrl.optional()),
    DATA_DIR: z.string().trim().min(1, "must not be empty").default("./.data"),
    SHOPIFY_API_KEY: optionalString,
    SHOPIFY_API_SECRET: optionalString,
    SHOPIFY_APP_URL: optionalString.pipe(z.url({ message: "must be an https:// URL" }).optional()),
    /** Our public address: every absolute link (sign-in mails, webhook and key-exchange URLs) is built from it. */
    APP_URL: optionalString.pipe(
      z.url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" }).optional(),
    ),
    SCOPES: optionalString,
    ENCRYPTION_KEY: optionalString.pipe(
      z
        .string()
        .regex(
          /^[A-Za-z0-9+/]{43}=$|^[0-9a-fA-F]{64}$/,
          "must be 32 bytes, as 64 hex characters or 44 base64 characters",
        )
        .optional(),
    ),
    SMTP_URL: optionalString.pipe(
      z
        .string()
        .regex(/^smtps?:\/\/[^\s]+$/, "must be an smtp:// or smtps:// URL")
        .optional(),
    ),
    /** Sender address of reminder e-mails (the sender name is the shop's). */
    MAIL_FROM: optionalString.pipe(z.email("must be an e-mail address").default("mahnwerk@localhost")),
    /** mediaFinanz's API base and answer fields per environment, as JSON (adapters/partners/mediafinanz/protocol.ts). */
    MEDIAFINANZ_ENDPOINTS: optionalString.pipe(
      z
        .string()
        .refine((v) => {
          try {
            mediafinanzEnvironments(v);
            return true;
          } catch {
            return false;
          }
        }, 'must be JSON like {"sandbox":{"baseUrl":"https://test.api.mediafinanz.de/v2.2"}}')
        .optional(),
    ),
    /** Riverty's hosts per environment, as JSON (adapters/partners/riverty/adapter.ts rivertyEnvironments). */
    RIVERTY_ENDPOINTS: optionalString.pipe(
      z
        .string()
        .refine((v) => {
          try {
            rivertyEnvironments(v);
            return true;
          } catch {
            return false;
          }
        }, 'must be JSON like {"sandbox":{"baseUrl":"https://…","authUrl":"https://…/oauth/token"}}')
        .optional(),
    ),
    /**
     * How merchants reach the operator of this installation about privacy (the tab's privacy page shows it): an e-mail
     * address or an https:// page. Unset: the page says that none was given.
     */
    OPERATOR_CONTACT: optionalString.pipe(
      z
        .union([z.email(), z.url({ protocol: /^https$/ })], { message: "must be an e-mail address or an https:// URL" })
        .optional(),
    ),
    /** Optional JSON file of extra base-rate entries (app/services/dunning/base-rates.server.ts). */
    BASE_RATES_FILE: optionalString,
    /** The Bundesbank's base-rate series the daily job base-rates.refresh reads (adapters/bundesbank/client.ts). */
    BASE_RATES_URL: optionalString.pipe(z.url({ protocol: /^https$/, message: "must be an https:// URL" }).optional()),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Unset: demo exactly when there are no Shopify credentials. 0: never (a WooCommerce-only installation). */
    DEMO: optionalFlag,
    /** 0: `npm start` serves requests only, next to `npm run worker` processes (PostgreSQL); default: it works too. */
    WORKERS: optionalFlag.transform((v) => v ?? true),
    /** The protocol the demo shop's sandbox partner speaks when the demo is first set up; staff may change it later. */
    DEMO_PARTNER: optionalString.pipe(z.enum(["riverty", "mediafinanz"]).default("riverty")),
    /** Port of the sandbox partner demo mode starts; 0 (default) lets the system pick a free one. */
    SANDBOX_PARTNER_PORT: z.coerce
      .number({ message: "must be a port number" })
      .int("must be a port number")
      .min(0, "must be a port number")
      .max(65_535, "must be a port number")
      .default(0),
    /** 1: store URLs may point at loopback and private addresses (development, local stand-ins); never in production. */
    ALLOW_PRIVATE_NETWORK: booleanFlag,
    /** 1: production may start although row-level security cannot be entered (ADR 006); the operator accepts it. */
    ALLOW_WITHOUT_RLS: booleanFlag,
    /** Proxy hops in front of the app: 0 (default) takes the client address from the socket, N from X-Forwarded-For. */
    TRUST_PROXY: z.coerce
      .number({ message: "must be a number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(10, "must be at most 10")
      .default(0),
  })
  .superRefine((env, ctx) => {
    const shopify = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL", "SCOPES"] as const;
    const present = shopify.filter((k) => env[k] !== undefined);
    if (present.length > 0 && present.length < shopify.length) {
      const missing = shopify.filter((k) => env[k] === undefined);
      ctx.addIssue({
        code: "custom",
        path: [missing[0]!],
        message: `is missing: set all of ${shopify.join(", ")} or none (demo mode); ${present.join(", ")} ${present.length === 1 ? "is" : "are"} set`,
      });
    }
    if (env.NODE_ENV === "production" && present.length === shopify.length && !env.ENCRYPTION_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["ENCRYPTION_KEY"],
        message:
          "is required in production with Shopify credentials (it encrypts partner and store credentials at rest)",
      });
    }
  });

export type Env = z.infer<typeof schema> & {
  /**
   * DEMO=1, or no Shopify credentials and DEMO unset: the standalone admin serves the seeded demo shop. DEMO=0 without
   * Shopify credentials is a WooCommerce-only installation: staff sign in from wp-admin.
   */
  demoMode: boolean;
  database: "pglite" | "postgres";
  /**
   * Our public origin without a trailing slash: APP_URL, else SHOPIFY_APP_URL, else http://localhost:PORT (demo and
   * development). Never taken from a request's Host or X-Forwarded-* headers, which the client chooses.
   */
  appUrl: string;
  /**
   * APP_URL is set: requests for other hosts are refused. With SHOPIFY_APP_URL alone they are answered (the test and
   * bench servers are reached by IP), harmlessly: no link is ever built from a request.
   */
  refuseOtherHosts: boolean;
};

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses an environment; throws EnvError with one line per bad variable, naming it. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.length > 0 ? String(issue.path[0]) : "environment";
      return `${name} ${issue.message}`;
    });
    throw new EnvError(`Invalid environment: ${lines.join("; ")}`);
  }
  const env = result.data;
  const hasShopify = env.SHOPIFY_API_KEY !== undefined;
  const demoMode = env.DEMO ?? !hasShopify;
  const configured = env.APP_URL ?? env.SHOPIFY_APP_URL;
  // `npm start` on the embedded database is the demo on purpose (the README's first command); a PostgreSQL deployment
  // that merely lacks its Shopify variables must not quietly serve the demo tab to everyone instead.
  if (env.NODE_ENV === "production" && env.DATABASE_URL && !hasShopify && env.DEMO === undefined) {
    throw new EnvError(
      "Invalid environment: DEMO is unset on PostgreSQL without Shopify credentials: set DEMO=1 for a demo, DEMO=0 for a WooCommerce-only installation, or the four Shopify variables",
    );
  }
  if (env.NODE_ENV === "production" && !demoMode && !configured) {
    throw new EnvError(
      "Invalid environment: APP_URL is required in production outside demo mode (sign-in links and WooCommerce webhooks point to it)",
    );
  }
  return {
    ...env,
    demoMode,
    database: env.DATABASE_URL ? "postgres" : "pglite",
    appUrl: (configured ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    refuseOtherHosts: env.APP_URL !== undefined,
  };
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
