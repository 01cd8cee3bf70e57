// mediaFinanz's REST API at a fixed test host, backed by the sandbox's mediaFinanz engine: the adapter's requests
// from the test process (settings, handovers) meet the same protocol as the sandbox's HTTP server speaks.
import { http, HttpResponse, type RequestHandler } from "msw";

import {
  createMediafinanzSandbox,
  SANDBOX_MEDIAFINANZ_ANSWERS,
} from "../../adapters/partners/sandbox/mediafinanz-engine";

export const MEDIAFINANZ_TEST_BASE_URL = "https://test.api.mediafinanz.test/v2.2";

/** The store behind the handlers; its credentials are the sandbox defaults. */
export const mediafinanzMock = createMediafinanzSandbox();

/** MEDIAFINANZ_ENDPOINTS for the mock host, with the answers the sandbox engine gives. */
export const MEDIAFINANZ_TEST_ENDPOINTS = {
  sandbox: { baseUrl: MEDIAFINANZ_TEST_BASE_URL, answers: SANDBOX_MEDIAFINANZ_ANSWERS },
};

export const handlers: RequestHandler[] = [
  http.all(`${MEDIAFINANZ_TEST_BASE_URL}/*`, async ({ request }) => {
    const result = mediafinanzMock.handle({
      method: request.method,
      path: new URL(request.url).pathname.slice(new URL(MEDIAFINANZ_TEST_BASE_URL).pathname.length),
      headers: (name) => request.headers.get(name),
      body: await request.text(),
    });
    return HttpResponse.json(result.body as Record<string, unknown>, { status: result.status });
  }),
];
