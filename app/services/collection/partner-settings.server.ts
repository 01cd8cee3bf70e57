import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";

import type { ConnectionCheckResult, PartnerCapabilities } from "#adapters/partners/collection-partner";
import { MEDIAFINANZ_CAPABILITIES } from "#adapters/partners/mediafinanz/adapter";
import {
  type MediafinanzEndpoints,
  type MediafinanzEnvironment,
  mediafinanzEnvironments,
} from "#adapters/partners/mediafinanz/protocol";
import {
  RIVERTY_CAPABILITIES,
  type RivertyEndpoints,
  type RivertyEnvironment,
  rivertyEnvironments,
} from "#adapters/partners/riverty/adapter";
import { getEnv } from "#app/config/env.server";
import type { DbOrTx } from "#app/db/client.server";
import { cases, type PartnerAccountRow, partnerAccounts } from "#app/db/schema";
import { type FieldErrors, getSettings } from "#app/services/settings/settings.server";

import {
  creditorFromAddress,
  defaultPartnerFactory,
  type MediafinanzPartnerConfig,
  openPartnerConfig,
  type PartnerConfig,
  type PartnerFactory,
  type RivertyPartnerConfig,
  savePartnerAccount,
} from "./partners.server";

/*
 * The collection partner section of the settings page: which partner, which environment, the credentials. The base
 * URLs never come from the form: the sandbox partners' from the process that runs them, Riverty's and mediaFinanz's
 * from the operator's RIVERTY_ENDPOINTS and MEDIAFINANZ_ENDPOINTS. Secrets go in, are stored encrypted, and never come
 * back out to the browser.
 */

/** The built-in sandbox: Riverty's protocol at its root, mediaFinanz's under its own base URL. */
export type SandboxEndpoints = RivertyEndpoints & {
  clientId: string;
  clientSecret: string;
  mediafinanz: MediafinanzEndpoints & { uuid: string; user: string; password: string };
};

export type PartnerEndpointSources = {
  /** The built-in sandbox partner this process started (demo mode), if any. */
  sandbox: SandboxEndpoints | null;
  riverty: Partial<Record<RivertyEnvironment, RivertyEndpoints>>;
  mediafinanz: Partial<Record<MediafinanzEnvironment, MediafinanzEndpoints>>;
};

/** `sandbox`: what the web process started (the load context's sandboxPartner); the rest from the environment. */
export function partnerEndpointSources(sandbox: SandboxEndpoints | null): PartnerEndpointSources {
  const env = getEnv();
  return {
    sandbox,
    riverty: rivertyEnvironments(env.RIVERTY_ENDPOINTS),
    mediafinanz: mediafinanzEnvironments(env.MEDIAFINANZ_ENDPOINTS),
  };
}

export type PartnerChoice = PartnerAccountRow["partner"];
export type PartnerEnvironment = PartnerAccountRow["environment"];

/** What the page shows: no secret, only whether one is stored. */
export type PartnerSettingsView = {
  partner: PartnerChoice | null;
  environment: PartnerEnvironment;
  /** Riverty's client id, or mediaFinanz's user name (with its client UUID). */
  clientId: string;
  uuid: string;
  secretStored: boolean;
  /** The choices this installation offers. */
  available: {
    sandbox: boolean;
    riverty: Record<PartnerEnvironment, boolean>;
    mediafinanz: Record<PartnerEnvironment, boolean>;
  };
  /** Cases the current partner holds: while there are any, it cannot be replaced by another. */
  casesWithPartner: number;
  /** What each choice does through Mahnwerk (PartnerCapabilities), for the hints next to the choice. */
  abilities: Record<PartnerChoice, PartnerAbilities>;
};

export type PartnerAbilities = Pick<
  PartnerCapabilities,
  "lookupByReference" | "recall" | "directPaymentReport" | "courtDunning" | "portal"
>;

const abilitiesOf = ({
  lookupByReference,
  recall,
  directPaymentReport,
  courtDunning,
  portal,
}: PartnerCapabilities) => ({
  lookupByReference,
  recall,
  directPaymentReport,
  courtDunning,
  portal,
});

export const PARTNER_ABILITIES: Record<PartnerChoice, PartnerAbilities> = {
  sandbox: abilitiesOf(RIVERTY_CAPABILITIES),
  sandbox_mediafinanz: abilitiesOf(MEDIAFINANZ_CAPABILITIES),
  riverty: abilitiesOf(RIVERTY_CAPABILITIES),
  mediafinanz: abilitiesOf(MEDIAFINANZ_CAPABILITIES),
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
): { riverty: RivertyCredentials | null; mediafinanz: MediafinanzCredentials | null } {
  if (sources.sandbox) {
    const { mediafinanz, ...riverty } = sources.sandbox;
    return { riverty, mediafinanz };
  }
  // A web process without workers does not run the sandbox; the endpoints saved by the one that does still hold.
  const isSandbox = account?.partner === "sandbox" || account?.partner === "sandbox_mediafinanz";
  return {
    riverty: isSandbox && stored && !("protocol" in stored) ? rivertyCredentials(stored) : null,
    mediafinanz: isSandbox && stored && "protocol" in stored ? mediafinanzCredentials(stored) : null,
  };
}

type RivertyCredentials = RivertyEndpoints & { clientId: string; clientSecret: string };
type MediafinanzCredentials = MediafinanzEndpoints & { uuid: string; user: string; password: string };

const rivertyCredentials = (c: RivertyPartnerConfig): RivertyCredentials => ({
  baseUrl: c.baseUrl,
  authUrl: c.authUrl,
  audience: c.audience,
  clientId: c.clientId,
  clientSecret: c.clientSecret,
});
const mediafinanzCredentials = (c: MediafinanzPartnerConfig): MediafinanzCredentials => ({
  baseUrl: c.baseUrl,
  answers: c.answers,
  uuid: c.uuid,
  user: c.user,
  password: c.password,
});

/** Cases a partner holds or may hold: handed over (or blocked there), claim number known or not. */
async function casesWithPartner(db: DbOrTx, shopId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(cases)
    .where(
      and(
        eq(cases.shopId, shopId),
        sql`${cases.state}->>'handedOverAt' is not null`,
        inArray(cases.status, ["handed_over", "blocked"]),
      ),
    );
  return row?.n ?? 0;
}

export async function partnerSettingsView(
  db: DbOrTx,
  shopId: string,
  sources: PartnerEndpointSources,
): Promise<PartnerSettingsView> {
  const account = await accountOf(db, shopId);
  const stored = storedConfig(account);
  const real = account?.partner === "riverty" || account?.partner === "mediafinanz";
  const sandbox = sandboxEndpointsFor(sources, account, stored);
  return {
    partner: account?.partner ?? null,
    environment: account?.environment ?? "sandbox",
    clientId: !real || !stored ? "" : "protocol" in stored ? stored.user : stored.clientId,
    uuid: real && stored && "protocol" in stored ? stored.uuid : "",
    secretStored: real && stored !== null,
    available: {
      sandbox: sandbox.riverty !== null || sandbox.mediafinanz !== null,
      riverty: { sandbox: sources.riverty.sandbox !== undefined, production: sources.riverty.production !== undefined },
      mediafinanz: {
        sandbox: sources.mediafinanz.sandbox !== undefined,
        production: sources.mediafinanz.production !== undefined,
      },
    },
    casesWithPartner: account ? await casesWithPartner(db, shopId) : 0,
    abilities: PARTNER_ABILITIES,
  };
}

const partnerFormSchema = z.object({
  partner: z.enum(["sandbox", "sandbox_mediafinanz", "riverty", "mediafinanz"]),
  environment: z.enum(["sandbox", "production"]).optional(),
  clientId: z.string().trim().max(200).optional(),
  clientSecret: z.string().max(500).optional(),
  uuid: z.string().trim().max(36).optional(),
});

export type PartnerFormOutcome =
  | { intent: "partner"; ok: true; done: "saved" | "connected" }
  | { intent: "partner"; ok: false; errors: FieldErrors; failure?: string };

type Resolved =
  | { ok: true; partner: PartnerChoice; environment: PartnerEnvironment; config: PartnerConfig }
  | { ok: false; errors: FieldErrors };

type Credentials =
  { kind: "riverty"; endpoints: RivertyCredentials } | { kind: "mediafinanz"; endpoints: MediafinanzCredentials };

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
  // One partner account per shop: the partner that holds claims stays until they are closed. The two built-in
  // sandboxes hold only practice claims: the demo may move between their protocols at any time.
  const practice = (p: string) => p === "sandbox" || p === "sandbox_mediafinanz";
  const switching = account && account.partner !== f.partner && !(practice(account.partner) && practice(f.partner));
  if (switching && (await casesWithPartner(db, shopId)) > 0)
    return { ok: false, errors: { "partner.partner": { key: "settings.partner.casesWithPartner" } } };

  let credentials: Credentials | null = null;
  let environment: PartnerEnvironment = "sandbox";
  if (f.partner === "sandbox" || f.partner === "sandbox_mediafinanz") {
    const sandbox = sandboxEndpointsFor(sources, account, stored);
    const endpoints = f.partner === "sandbox" ? sandbox.riverty : sandbox.mediafinanz;
    if (!endpoints) errors["partner.partner"] = { key: "settings.partner.sandboxUnavailable" };
    else if (f.partner === "sandbox") credentials = { kind: "riverty", endpoints: endpoints as RivertyCredentials };
    else credentials = { kind: "mediafinanz", endpoints: endpoints as MediafinanzCredentials };
  } else {
    environment = f.environment ?? "sandbox";
    const hosts = f.partner === "riverty" ? sources.riverty[environment] : sources.mediafinanz[environment];
    if (!hosts) errors["partner.environment"] = { key: "settings.partner.environmentUnavailable" };
    const clientId = f.clientId ?? "";
    if (clientId === "") errors["partner.clientId"] = { key: "form.error.required" };
    const uuid = f.uuid ?? "";
    if (f.partner === "mediafinanz" && !/^[0-9a-fA-F-]{36}$/.test(uuid))
      errors["partner.uuid"] = { key: uuid === "" ? "form.error.required" : "form.error.invalid" };
    let secret = (f.clientSecret ?? "").trim();
    // Keep the stored secret only for the same partner and environment: a production secret never meets the sandbox.
    if (secret === "" && account?.partner === f.partner && account.environment === environment && stored)
      secret = "protocol" in stored ? stored.password : stored.clientSecret;
    if (secret === "") errors["partner.clientSecret"] = { key: "form.error.required" };
    if (hosts && f.partner === "riverty")
      credentials = { kind: "riverty", endpoints: { ...(hosts as RivertyEndpoints), clientId, clientSecret: secret } };
    if (hosts && f.partner === "mediafinanz")
      credentials = {
        kind: "mediafinanz",
        endpoints: { ...(hosts as MediafinanzEndpoints), uuid, user: clientId, password: secret },
      };
  }
  if (Object.keys(errors).length > 0 || !credentials) return { ok: false, errors };
  // Claims name the shop as creditor with the postal address of its settings: it comes first.
  if (!settings.address)
    return { ok: false, errors: { "partner.partner": { key: "settings.partner.addressMissing" } } };
  const creditor = creditorFromAddress(settings.address);
  return {
    ok: true,
    partner: f.partner,
    environment,
    config:
      credentials.kind === "riverty"
        ? { ...rivertyCredentials(credentials.endpoints as RivertyPartnerConfig), creditor }
        : {
            protocol: "mediafinanz",
            ...mediafinanzCredentials(credentials.endpoints as MediafinanzPartnerConfig),
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
