// The payment customization Function (extensions/invoice-guard) against Shopify's Payment Customization Function API
// schema of the extension's api_version (introspection JSON from @shopify/dev-mcp, copied by
// test/fixtures/shopify/admin-schema/update.ts <version> <dev-mcp version> functions): its input query is valid, the
// inputs below are exactly what that query returns, and every result is a valid CartPaymentMethodsTransformRunResult.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

import {
  buildClientSchema,
  execute,
  getVariableValues,
  type GraphQLSchema,
  type IntrospectionQuery,
  NoDeprecatedCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { describe, expect, test } from "vitest";

import {
  cartPaymentMethodsTransformRun,
  type CartPaymentMethodsTransformRunInput,
} from "../extensions/invoice-guard/src/cart_payment_methods_transform_run";

const DIR = "extensions/invoice-guard";
const apiVersion = /^api_version = "([^"]+)"/m.exec(readFileSync(`${DIR}/shopify.extension.toml`, "utf8"))![1]!;
const SCHEMA_DIR = "test/fixtures/shopify/functions-schema";
const source = JSON.parse(readFileSync(`${SCHEMA_DIR}/source.json`, "utf8")) as { file: string; sha256: string };
const query = readFileSync(`${DIR}/src/cart_payment_methods_transform_run.graphql`, "utf8");

function loadSchema(): GraphQLSchema {
  const bytes = readFileSync(`${SCHEMA_DIR}/${source.file}`);
  expect(createHash("sha256").update(bytes).digest("hex"), "the fixture is the file source.json names").toBe(
    source.sha256,
  );
  const json = JSON.parse(gunzipSync(bytes).toString("utf8")) as { data?: IntrospectionQuery } & IntrospectionQuery;
  return buildClientSchema(json.data ?? json);
}
const schema = loadSchema();

/** What the input query returns for a cart, run through the schema: proves a test input has the query's exact shape. */
async function asQueried(input: CartPaymentMethodsTransformRunInput): Promise<unknown> {
  // Each field read under its response key: the query names its metafields by alias, as the function reads them.
  const result = await execute({
    schema,
    document: parse(query),
    rootValue: input,
    fieldResolver: (value, _args, _context, info) => (value as Record<string, unknown>)[String(info.path.key)],
  });
  expect(result.errors ?? []).toEqual([]);
  return JSON.parse(JSON.stringify(result.data));
}

/** Errors of a result as the function's output type, or none. */
function resultErrors(result: unknown): string[] {
  const document = parse(
    "mutation Check($result: CartPaymentMethodsTransformRunResult!) { cartPaymentMethodsTransformRun(result: $result) }",
  );
  expect(validate(schema, document)).toEqual([]);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { result });
  return (coerced.errors ?? []).map((e) => e.message);
}

const METHODS = [
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "Shopify Payments" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/2", name: "Rechnung" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/3", name: "PayPal" },
  { id: "gid://shopify/PaymentCustomizationPaymentMethod/4", name: " kauf auf rechnung " },
];
const CONFIG = { configuration: { jsonValue: { invoiceMethods: ["Rechnung", "Kauf auf Rechnung"] } } };
const cart = (openCase: string | null, signedIn = true): CartPaymentMethodsTransformRunInput["cart"] => ({
  buyerIdentity: signedIn ? { customer: { openCase: openCase === null ? null : { value: openCase } } } : null,
});

describe(`invoice guard Function on the Payment Customization API ${apiVersion}`, () => {
  test("the schema fixture is the extension's api_version", () => {
    expect(source.file).toBe(`functions_payment_customization_${apiVersion}.json.gz`);
  });

  test("the input query is valid against the schema, without deprecated fields", () => {
    expect(validate(schema, parse(query), [...specifiedRules, NoDeprecatedCustomRule]).map((e) => e.message)).toEqual(
      [],
    );
  });

  test("a flagged customer: the invoice methods are hidden, nothing else; the result is a valid run result", async () => {
    const input = { cart: cart("true"), paymentCustomization: CONFIG, paymentMethods: METHODS };
    expect(await asQueried(input)).toEqual(input);
    const result = cartPaymentMethodsTransformRun(input);
    expect(result).toEqual({
      operations: [
        { paymentMethodHide: { paymentMethodId: "gid://shopify/PaymentCustomizationPaymentMethod/2" } },
        { paymentMethodHide: { paymentMethodId: "gid://shopify/PaymentCustomizationPaymentMethod/4" } },
      ],
    });
    expect(resultErrors(result)).toEqual([]);
  });

  test("fails open: a guest, an unflagged or cleared customer, no configuration: every method stays", async () => {
    const inputs: CartPaymentMethodsTransformRunInput[] = [
      { cart: cart(null, false), paymentCustomization: CONFIG, paymentMethods: METHODS },
      { cart: cart(null), paymentCustomization: CONFIG, paymentMethods: METHODS },
      { cart: cart("false"), paymentCustomization: CONFIG, paymentMethods: METHODS },
      { cart: cart("true"), paymentCustomization: { configuration: null }, paymentMethods: METHODS },
      {
        cart: cart("true"),
        paymentCustomization: { configuration: { jsonValue: "Rechnung" } },
        paymentMethods: METHODS,
      },
    ];
    for (const input of inputs) {
      expect(await asQueried(input)).toEqual(input);
      const result = cartPaymentMethodsTransformRun(input);
      expect(result).toEqual({ operations: [] });
      expect(resultErrors(result)).toEqual([]);
    }
  });

  test("an output Shopify would refuse is caught by the check", () => {
    expect(resultErrors({ operations: [{ paymentMethodHide: {} }] })).not.toEqual([]);
  });
});
