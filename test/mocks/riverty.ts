// Riverty Back in Flow at fixed test hosts, backed by the sandbox engine's in-memory store: a test submits a
// claim, polls /v1/transactions and sees the CONFIRMATION. Every feed poll moves each claim one script step.
import { http, HttpResponse, type RequestHandler } from "msw";

import { createSandboxEngine } from "../../adapters/partners/sandbox/engine";

export const RIVERTY_TEST_BASE_URL = "https://riverty.test";
export const RIVERTY_TEST_AUTH_URL = "https://auth.riverty.test/oauth/token";

/** The store behind the handlers: reset it in beforeEach, inspect claims/transactions/tokens in assertions. */
export const rivertyMock = createSandboxEngine({
  clientId: "test-client",
  clientSecret: "test-secret",
  audience: "https://api-test.horizonafs.io",
});

export const RIVERTY_TEST_CONFIG = {
  baseUrl: RIVERTY_TEST_BASE_URL,
  authUrl: RIVERTY_TEST_AUTH_URL,
  audience: rivertyMock.options.audience,
  clientId: rivertyMock.options.clientId,
  clientSecret: rivertyMock.options.clientSecret,
};

async function answer(request: Request, path: string) {
  const url = new URL(request.url);
  const result = rivertyMock.handle({
    method: request.method,
    path,
    query: url.searchParams,
    authorization: request.headers.get("authorization"),
    clientRequestId: request.headers.get("x-request-id"),
    body: await request.text(),
  });
  return HttpResponse.json(result.body as Record<string, unknown>, { status: result.status });
}

export const handlers: RequestHandler[] = [
  http.post(RIVERTY_TEST_AUTH_URL, ({ request }) => answer(request, "/oauth/token")),
  http.all(`${RIVERTY_TEST_BASE_URL}/v1/*`, ({ request }) => answer(request, new URL(request.url).pathname)),
];
