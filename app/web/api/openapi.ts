import { z } from "zod";

import {
  apiActionBody,
  apiCaseListQuery,
  apiErrorSchema,
  apiHandoverBody,
  apiPaymentListQuery,
  caseListResponse,
  caseResponse,
  caseWithEventsResponse,
  paymentListResponse,
  statementImportResponse,
} from "./schemas";

const json = (schema: z.ZodType) => ({
  "application/json": { schema: z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) },
});
const error = (description: string) => ({ description, content: json(apiErrorSchema) });

const errors = {
  "401": error("Missing, unknown or revoked token"),
  "404": error("No such case in this token's shop"),
  "429": {
    ...error("Rate limit exceeded; see Retry-After"),
    headers: { "Retry-After": { schema: { type: "integer" } } },
  },
};

function queryParameters(schema: z.ZodObject) {
  const jsonSchema = z.toJSONSchema(schema, { io: "input" }) as {
    properties: Record<string, object>;
    required?: string[];
  };
  return Object.entries(jsonSchema.properties).map(([name, s]) => ({
    name,
    in: "query",
    required: jsonSchema.required?.includes(name) ?? false,
    schema: s,
  }));
}

const caseIdParameter = { name: "caseId", in: "path", required: true, schema: { type: "string", format: "uuid" } };

function action(summary: string) {
  return {
    summary,
    parameters: [caseIdParameter],
    requestBody: { required: true, content: json(apiActionBody) },
    responses: {
      "200": { description: "The case after the action", content: json(caseResponse) },
      "400": error("The body is not JSON"),
      "422": error("Invalid body (reason is required, 1-500 characters)"),
      "403": error("Read-only token"),
      "409": error("The action is not allowed in the case's current status"),
      ...errors,
    },
  };
}

/** OpenAPI 3.1 of /api/v1, generated from the same zod schemas the routes validate with. */
export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Mahnwerk API",
      version: "1.0.0",
      description: "Cases of one shop, reached with that shop's API token.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/cases": {
        get: {
          summary: "List cases (newest first, keyset pagination through nextCursor)",
          parameters: queryParameters(apiCaseListQuery),
          responses: {
            "200": { description: "A page of cases", content: json(caseListResponse) },
            "400": error("Invalid query"),
            ...errors,
          },
        },
      },
      "/api/v1/cases/{caseId}": {
        get: {
          summary: "One case with its timeline",
          parameters: [caseIdParameter],
          responses: {
            "200": { description: "The case and its events", content: json(caseWithEventsResponse) },
            ...errors,
          },
        },
      },
      "/api/v1/cases/{caseId}/start": { post: action("Start dunning for a case waiting for approval") },
      "/api/v1/cases/{caseId}/cancel": {
        post: action("Cancel a case (after handover: request cancellation from the partner)"),
      },
      "/api/v1/cases/{caseId}/handover": {
        post: {
          ...action("Resolve a handover whose answer never came (blockReasons contains handover_unknown)"),
          requestBody: { required: true, content: json(apiHandoverBody) },
        },
      },
      "/api/v1/payments": {
        get: {
          summary: "Credits from imported bank statements (newest 250), optionally of one status",
          parameters: queryParameters(apiPaymentListQuery),
          responses: {
            "200": { description: "The credits", content: json(paymentListResponse) },
            "400": error("Invalid query"),
            "401": errors["401"],
            "429": errors["429"],
          },
        },
      },
      "/api/v1/payments/import": {
        post: {
          summary: "Import a bank statement: camt.053, camt.054 or MT940 as the body (at most 20 MB)",
          parameters: [{ name: "name", in: "query", required: false, schema: { type: "string", maxLength: 200 } }],
          requestBody: {
            required: true,
            content: {
              "application/xml": { schema: { type: "string" } },
              "text/plain": { schema: { type: "string" } },
              "application/octet-stream": { schema: { type: "string", format: "binary" } },
            },
          },
          responses: {
            "200": { description: "What the import found and did", content: json(statementImportResponse) },
            "403": error("Read-only token"),
            "413": error("Larger than 20 MB"),
            "422": error("Not a camt.053/054 or MT940 statement; the message names what is wrong"),
            "401": errors["401"],
            "429": errors["429"],
          },
        },
      },
    },
  };
}
