import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery, parse } from "graphql";
import { getVariableValues } from "graphql/execution/values";

import { SHOPIFY_API_VERSION } from "#app/shopify.server";

export const SCHEMA_DIR = "test/fixtures/shopify/admin-schema";
export const SCHEMA_FILE = `${SCHEMA_DIR}/admin_${SHOPIFY_API_VERSION}.json.gz`;

export const missingSchemaMessage = (present: string) =>
  `No Admin API schema for ${SHOPIFY_API_VERSION} (SHOPIFY_API_VERSION in app/shopify.server.ts) at ${SCHEMA_FILE}, only ${present}: ` +
  `the API version was upgraded, so fetch its schema with \`npx tsx ${SCHEMA_DIR}/update.ts ${SHOPIFY_API_VERSION}\` ` +
  "and fix every document this test then reports.";

let cached: GraphQLSchema | undefined;

/** Shopify's Admin API schema of the app's API version, as shipped in @shopify/dev-mcp (update.ts copies it). */
export function adminSchema(): GraphQLSchema {
  if (!existsSync(SCHEMA_FILE)) throw new Error(missingSchemaMessage("another version"));
  cached ??= buildClientSchema(
    (JSON.parse(gunzipSync(readFileSync(SCHEMA_FILE)).toString("utf8")) as { data: IntrospectionQuery }).data,
  );
  return cached;
}

/** What Shopify would refuse in the variables sent with `document`: unknown input fields, wrong types, missing ones. */
export function variableErrors(document: string, variables: Record<string, unknown>): string[] {
  const operation = parse(document).definitions[0];
  if (operation?.kind !== "OperationDefinition") throw new Error("not an operation");
  const result = getVariableValues(adminSchema(), operation.variableDefinitions ?? [], variables);
  return result.errors?.map((e) => e.message) ?? [];
}
