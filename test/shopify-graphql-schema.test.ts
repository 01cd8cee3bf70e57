// Every GraphQL document the app sends to Shopify, validated against the real Admin API schema of SHOPIFY_API_VERSION
// (Shopify's introspection JSON as shipped in @shopify/dev-mcp, copied by test/fixtures/shopify/admin-schema/update.ts),
// so that an API-version upgrade names every field, argument and type that moved.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
  getNamedType,
  GraphQLError,
  GraphQLObjectType,
  isRequiredArgument,
  NoDeprecatedCustomRule,
  parse,
  validate,
  type ValidationRule,
} from "graphql";
import ts from "typescript";
import { describe, expect, test } from "vitest";

import * as adminApi from "#adapters/shopify/admin-api";
import { SHOPIFY_API_VERSION } from "#app/shopify.server";
import { adminSchema, missingSchemaMessage, SCHEMA_DIR, SCHEMA_FILE } from "#test/support/admin-schema";

const source = JSON.parse(readFileSync(`${SCHEMA_DIR}/source.json`, "utf8")) as {
  version: string;
  file: string;
  sha256: string;
};
const MISSING = missingSchemaMessage(source.file);

/** Every `#graphql` constant admin-api.ts exports, found by their tag, so a new one is validated without a list to edit. */
const TAGGED = Object.entries(adminApi).filter(
  (entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].startsWith("#graphql"),
);

/**
 * The bulk import's query, sent as the `query` argument of bulkOperationRunQuery and run by Shopify as a query on the
 * same schema. Its connections have no `first:`: the schema types `first`/`last` as optional `Int` (that one of them
 * is given is a runtime rule of ordinary requests, which bulk operations lift), so every graphql-js rule applies to
 * it as it stands. Should `first` become `Int!`, this test fails and the bulk query needs a rule set of its own.
 */
const BULK = [["OPEN_ORDERS_BULK_QUERY", adminApi.OPEN_ORDERS_BULK_QUERY]] as const;

const DOCUMENTS: (readonly [string, string])[] = [...TAGGED, ...BULK];

/** Functions whose output is a document: their literals are covered by validating the constants built with them. */
const BUILDERS: Record<string, string> = { bulkOrdersQuery: "OPEN_ORDERS_BULK_QUERY" };

function problems(document: string, rules?: readonly ValidationRule[]): string[] {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(adminSchema(), parse(document), rules);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    errors = [error];
  }
  return errors.map(
    (e) =>
      `${e.message}${e.locations?.length ? ` (line ${e.locations[0]!.line}, column ${e.locations[0]!.column})` : ""}`,
  );
}

describe(`Admin API ${SHOPIFY_API_VERSION}`, () => {
  test("the schema of SHOPIFY_API_VERSION is there, byte for byte as source.json records it", () => {
    expect(existsSync(SCHEMA_FILE), MISSING).toBe(true);
    expect(source.file, MISSING).toBe(`admin_${SHOPIFY_API_VERSION}.json.gz`);
    const sha256 = createHash("sha256").update(readFileSync(SCHEMA_FILE)).digest("hex");
    expect(
      sha256,
      `${SCHEMA_FILE} differs from @shopify/dev-mcp@${source.version}'s copy: fetch it again with update.ts`,
    ).toBe(source.sha256);
  });

  test.each(DOCUMENTS)("%s validates against the schema", (name, document) => {
    expect(problems(document), `${name} is not valid on Admin API ${SHOPIFY_API_VERSION}`).toEqual([]);
  });

  // A deprecated field is the one that moves at a coming version: it is reported now, while its successor exists.
  test.each(DOCUMENTS)("%s uses no deprecated field, argument or enum value", (name, document) => {
    expect(
      problems(document, [NoDeprecatedCustomRule]),
      `${name} uses what Admin API ${SHOPIFY_API_VERSION} deprecates`,
    ).toEqual([]);
  });

  test("the bulk query is one query operation without variables, as bulkOperationRunQuery takes it", () => {
    for (const [name, document] of BULK) {
      const definitions = parse(document).definitions;
      expect(definitions, name).toHaveLength(1);
      expect(definitions[0], name).toMatchObject({
        kind: "OperationDefinition",
        operation: "query",
        variableDefinitions: [],
      });
    }
  });

  test("validation bites: a misspelled field and a deprecated field are reported", () => {
    expect(problems("query MahnwerkShop { shop { nmae } }")).toEqual([
      'Cannot query field "nmae" on type "Shop". Did you mean "name"? (line 1, column 29)',
    ]);
    const deprecated = Object.values(adminSchema().getQueryType()!.getFields()).find(
      (field) =>
        field.deprecationReason &&
        !field.args.some(isRequiredArgument) &&
        getNamedType(field.type) instanceof GraphQLObjectType,
    );
    expect(
      deprecated,
      "no deprecated root field without required arguments to try the deprecation rule on",
    ).toBeDefined();
    const document = `{ ${deprecated!.name} { __typename } }`;
    expect(problems(document)).toEqual([]);
    expect(problems(document, [NoDeprecatedCustomRule])).toHaveLength(1);
  });
});

type Finding = { file: string; line: number; what: string };

/** Non-test TypeScript of app/ and adapters/: the code that talks to Shopify. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A string that begins like a GraphQL document: a `#graphql` tag, an operation or fragment keyword, or `{ field(`/`{ field {`. */
const LOOKS_LIKE_GRAPHQL =
  /^\s*(#graphql|(query|mutation|subscription)\b\s*\w*\s*[({]|fragment\s+\w+\s+on\s|\{\s*[A-Za-z_]\w*\s*[({])/;

/**
 * Reads a source with TypeScript's parser (not a regex over the text, which comments and nested templates fool):
 * every literal that looks like a document must belong to a validated constant of adapters/shopify/admin-api.ts, and
 * every callAdmin / `.graphql(` call must send one of them.
 */
function scanSource(file: string, text: string): Finding[] {
  const validated = new Set(DOCUMENTS.map(([name]) => name));
  const findings: Finding[] = [];
  const sourceFile = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const report = (node: ts.Node, what: string) =>
    findings.push({ file, line: sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1, what });
  const owner = (node: ts.Node): string | undefined => {
    while (node.parent && node.parent !== sourceFile) node = node.parent;
    if (ts.isVariableStatement(node)) return node.declarationList.declarations[0]?.name.getText();
    if (ts.isFunctionDeclaration(node)) return node.name?.text;
    return undefined;
  };
  const visit = (node: ts.Node) => {
    const literal =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateExpression(node)
          ? node.head.text
          : undefined;
    if (literal !== undefined && LOOKS_LIKE_GRAPHQL.test(literal)) {
      const name = owner(node);
      const covered =
        name !== undefined && (validated.has(name) || (name in BUILDERS && validated.has(BUILDERS[name]!)));
      if (file !== join("adapters", "shopify", "admin-api.ts") || !covered)
        report(node, `GraphQL document ${JSON.stringify(literal.slice(0, 60))} (in ${name ?? "no named declaration"})`);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === "callAdmin") {
        const document = node.arguments[1];
        if (!document || !ts.isIdentifier(document) || !validated.has(document.text))
          report(node, `callAdmin sends ${document?.getText() ?? "nothing"}, not a validated document`);
      }
      // The one `.graphql(` call is the client behind AdminGraphql, which sends what callAdmin hands it.
      if (
        ts.isPropertyAccessExpression(callee) &&
        callee.name.text === "graphql" &&
        file !== join("app", "shopify.server.ts")
      )
        report(node, `${node.getText().slice(0, 60)} bypasses callAdmin`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings;
}

describe("the documents validated are all the app sends", () => {
  test("every GraphQL document in app/ and adapters/ is a validated constant of admin-api.ts, and every call sends one", () => {
    const files = [...sourceFiles("app"), ...sourceFiles("adapters")];
    expect(files).toContain(join("adapters", "shopify", "admin-api.ts"));
    const findings = files.flatMap((file) => scanSource(file, readFileSync(file, "utf8")));
    expect(
      findings,
      "put it in adapters/shopify/admin-api.ts as an exported `#graphql` constant (or in BULK here) and send that",
    ).toEqual([]);
  });

  test("the scan reports a document that is not validated", () => {
    const elsewhere =
      "const Q = `#graphql\nquery X { shop { name } }`;\nawait callAdmin(admin, Q, {});\nawait admin.graphql(`{ shop { name } }`);";
    // The tagged literal (line 1), its callAdmin (line 3), the `.graphql(` call and its literal (line 4).
    expect(scanSource(join("app", "services", "x.server.ts"), elsewhere).map((f) => f.line)).toEqual([1, 3, 4, 4]);
    const untagged = "export const NEW_QUERY = `query MahnwerkNew { shop { ${FIELDS} } }`;\nconst FIELDS = `name`;";
    expect(scanSource(join("adapters", "shopify", "admin-api.ts"), untagged)).toEqual([
      {
        file: join("adapters", "shopify", "admin-api.ts"),
        line: 1,
        what: 'GraphQL document "query MahnwerkNew { shop { " (in NEW_QUERY)',
      },
    ]);
    expect(
      scanSource(
        join("adapters", "shopify", "admin-api.ts"),
        "export const ORDERS_QUERY = `#graphql\nquery MahnwerkOrders { shop { name } }`;",
      ),
    ).toEqual([]);
  });
});
