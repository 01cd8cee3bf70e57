import { eq } from "drizzle-orm";
import { z } from "zod";

import type { ConnectionCheckResult } from "#adapters/partners/collection-partner";
import {
  type RivertyEndpoints,
  type RivertyEnvironment,
  rivertyEnvironments,
} from "#adapters/partners/riverty/adapter";
import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { type PartnerAccountRow, partnerAccounts } from "#app/db/schema";
import { type FieldErrors, getSettings } from "#app/services/settings/settings.server";

import {
  creditorFromAddress,
  defaultPartnerFactory,
  openPartnerConfig,
  type PartnerConfig,
  type PartnerFactory,
  savePartnerAccount,
} from "./partners.server";

/*
 * The collection partner section of the settings page: which partner, which environment, the credentials. The base
 * URLs never come from the form: the sandbox partner's from the process that runs it, Riverty's from the operator's
 * RIVERTY_ENDPOINTS. The client secret goes in, is stored encrypted, and never comes back out to the browser.
 */

export type SandboxEndpoints = RivertyEndpoints & { clientId: string; clientSecret: string };

export type PartnerEndpointSources = {
  /** The built-in sandbox partner this process started (demo mode), if any. */
  sandbox: SandboxEndpoints | null;
  riverty: Partial<Record<RivertyEnvironment, RivertyEndpoints>>;
};

/** `sandbox`: what the web process started (the load context's sandboxPartner); the rest from the environment. */
export function partnerEndpointSources(sandbox: SandboxEndpoints | null): PartnerEndpointSources {
  return {
    sandbox,
    riverty: rivertyEnvironments(getEnv().RIVERTY_ENDPOINTS),
  };
}

export type PartnerChoice = PartnerAccountRow["partner"];
export type PartnerEnvironment = PartnerAccountRow["environment"];

/** What the page shows: no secret, only whether one is stored. */
export type PartnerSettingsView = {
  partner: PartnerChoice | null;
  environment: PartnerEnvironment;
  clientId: string;
  secretStored: boolean;
  /** The choices this installation offers. */
  available: { sandbox: boolean; riverty: Record<PartnerEnvironment, boolean> };
};

async function accountOf(db: DbOrTx, shopId: string): Promise<PartnerAccountRow | null> {
  const [row] = await db.select().from(partnerAccounts).where(eq(partnerAccounts.shopId, shopId)).limit(1);
  return row ?? null;
}

function storedConfig(account: PartnerAccountRow | null): PartnerConfig | null {
  if (!account) return null;
  try {
    return openPartnerConfig(account.credentials, account.shopId);
  } catch {
    // Unreadable (key rotated away): the page shows no stored secret, so the owner enters it again.
    return null;
  }
}

function sandboxEndpointsFor(
  sources: PartnerEndpointSources,
  account: PartnerAccountRow | null,
  stored: PartnerConfig | null,
): SandboxEndpoints | null {
  if (sources.sandbox) return sources.sandbox;
  // A web process without workers does not run the sandbox; the endpoints saved by the one that does still hold.
  if (account?.partner === "sandbox" && stored)
    return {
      baseUrl: stored.baseUrl,
      authUrl: stored.authUrl,
      audience: stored.audience,
      clientId: stored.clientId,
      clientSecret: stored.clientSecret,
    };
  return null;
}

export async function partnerSettingsView(
  db: DbOrTx,
  shopId: string,
  sources: PartnerEndpointSources,
): Promise<PartnerSettingsView> {
  const account = await accountOf(db, shopId);
  const stored = storedConfig(account);
  return {
    partner: account?.partner ?? null,
    environment: account?.environment ?? "sandbox",
    clientId: account?.partner === "riverty" ? (stored?.clientId ?? "") : "",
    secretStored: account?.partner === "riverty" && stored !== null,
    available: {
      sandbox: sandboxEndpointsFor(sources, account, stored) !== null,
      riverty: { sandbox: sources.riverty.sandbox !== undefined, production: sources.riverty.production !== undefined },
    },
  };
}

const partnerFormSchema = z.object({
  partner: z.enum(["sandbox", "riverty"]),
  environment: z.enum(["sandbox", "production"]).optional(),
  clientId: z.string().trim().max(200).optional(),
  clientSecret: z.string().max(500).optional(),
});

export type PartnerFormOutcome =
  | { intent: "partner"; ok: true; done: "saved" | "connected" }
  | { intent: "partner"; ok: false; errors: FieldErrors; failure?: string };

type Resolved =
  | { ok: true; partner: PartnerChoice; environment: PartnerEnvironment; config: PartnerConfig }
  | { ok: false; errors: FieldErrors };

/** The posted partner fields as a complete configuration, or errors per field. A blank secret keeps the stored one. */
async function resolvePartnerForm(
  db: DbOrTx,
  shopId: string,
  form: FormData,
  sources: PartnerEndpointSources,
): Promise<Resolved> {
  const raw = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
  const parsed = partnerFormSchema.safeParse(raw);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      errors[`partner.${String(issue.path[0] ?? "partner")}`] ??= { key: "form.error.invalid" };
    return { ok: false, errors };
  }
  const f = parsed.data;
  const settings = await getSettings(db, shopId);
  const account = await accountOf(db, shopId);
  const stored = storedConfig(account);

  let endpoints: RivertyEndpoints | null = null;
  let clientId = "";
  let clientSecret = "";
  let environment: PartnerEnvironment = "sandbox";
  if (f.partner === "sandbox") {
    const sandbox = sandboxEndpointsFor(sources, account, stored);
    if (!sandbox) errors["partner.partner"] = { key: "settings.partner.sandboxUnavailable" };
    else {
      endpoints = sandbox;
      clientId = sandbox.clientId;
      clientSecret = sandbox.clientSecret;
    }
  } else {
    environment = f.environment ?? "sandbox";
    endpoints = sources.riverty[environment] ?? null;
    if (!endpoints) errors["partner.environment"] = { key: "settings.partner.environmentUnavailable" };
    clientId = f.clientId ?? "";
    if (clientId === "") errors["partner.clientId"] = { key: "form.error.required" };
    clientSecret = (f.clientSecret ?? "").trim();
    // Keep the stored secret only for the same partner and environment: a production secret never meets the sandbox.
    if (clientSecret === "" && account?.partner === "riverty" && account.environment === environment && stored)
      clientSecret = stored.clientSecret;
    if (clientSecret === "") errors["partner.clientSecret"] = { key: "form.error.required" };
  }
  if (Object.keys(errors).length > 0 || !endpoints) return { ok: false, errors };
  // Claims name the shop as creditor with the postal address of its settings: it comes first.
  if (!settings.address)
    return { ok: false, errors: { "partner.partner": { key: "settings.partner.addressMissing" } } };
  const creditor = creditorFromAddress(settings.address);
  return {
    ok: true,
    partner: f.partner,
    environment,
    config: {
      baseUrl: endpoints.baseUrl,
      authUrl: endpoints.authUrl,
      audience: endpoints.audience,
      clientId,
      clientSecret,
      creditor,
    },
  };
}

/** Saves the partner section (credentials sealed by savePartnerAccount). */
export async function savePartnerForm(
  db: DbOrTx,
  shopId: string,
  form: FormData,
  sources: PartnerEndpointSources,
): Promise<PartnerFormOutcome> {
  const resolved = await resolvePartnerForm(db, shopId, form, sources);
  if (!resolved.ok) return { intent: "partner", ok: false, errors: resolved.errors };
  try {
    await savePartnerAccount(db, {
      shopId,
      partner: resolved.partner,
      environment: resolved.environment,
      config: resolved.config,
    });
  } catch (error) {
    // Without ENCRYPTION_KEY real credentials are refused rather than stored readable.
    return {
      intent: "partner",
      ok: false,
      errors: {},
      failure: error instanceof Error ? error.message : String(error),
    };
  }
  return { intent: "partner", ok: true, done: "saved" };
}

/**
 * "Test connection": signs in with the credentials as entered (the stored secret where none was typed). `read` runs
 * the look-ups (the shop's tenant scope); the call to the partner happens after it, holding no transaction.
 */
export async function testPartnerForm(
  read: <T>(fn: (db: DbOrTx) => Promise<T>) => Promise<T>,
  shopId: string,
  form: FormData,
  sources: PartnerEndpointSources,
  factory: PartnerFactory = defaultPartnerFactory,
): Promise<PartnerFormOutcome> {
  const resolved = await read((db) => resolvePartnerForm(db, shopId, form, sources));
  if (!resolved.ok) return { intent: "partner", ok: false, errors: resolved.errors };
  // Nothing is stored yet: the factory gets the account as it would be saved.
  const account = { partner: resolved.partner, environment: resolved.environment } as PartnerAccountRow;
  const result: ConnectionCheckResult = await factory(account, resolved.config).checkConnection();
  if (result.kind === "ok") return { intent: "partner", ok: true, done: "connected" };
  return { intent: "partner", ok: false, errors: {}, failure: result.reason };
}
