import { afterAll, afterEach } from "vitest";

import { server } from "../mocks/node";

// Started at import time, before any test file loads @shopify/* (which keeps its own fetch reference).
// Every outside API must be mocked; only our own servers on loopback (the app, the sandbox partner) pass.
server.listen({
  onUnhandledRequest(request, print) {
    const { hostname } = new URL(request.url);
    if (hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]") return;
    print.error();
  },
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
