import type { AppLoadContext } from "@remix-run/node";

import type { Database } from "#app/db/client.server";
import type { JobQueue } from "#app/jobs/jobs.server";
import { dropSingleton, setSingleton } from "#app/utils/singleton.server";

import type { QueuedJob } from "./woo";
import { TEST_APP_URL, TEST_ENCRYPTION_KEY } from "./woo";

/**
 * Route modules (loader/action) called in the test process with a Request, as Remix would: they reach the database
 * through the process singleton, so a test puts its own there, and queue jobs on `context.jobs`, which records them. In-process calls keep msw in
 * front of every outbound WooCommerce request (a spawned server would bypass it).
 *
 * Must run before anything in the file reads the environment (getEnv parses once): it sets ENCRYPTION_KEY to the
 * key test/support/woo.ts encrypts with, and APP_URL to the address its links are built from.
 */
export function serveRoutesFrom(database: Database): { jobs: QueuedJob[]; context: AppLoadContext; release(): void } {
  process.env.ENCRYPTION_KEY = TEST_ENCRYPTION_KEY.toString("hex");
  process.env.APP_URL = TEST_APP_URL;
  const jobs: QueuedJob[] = [];
  const recorder: JobQueue = {
    send: async (job, data, options) => {
      jobs.push({ name: job.name, data, options });
      return null;
    },
    sendBatched: async (job, data) => {
      jobs.push({ name: job.name, data });
    },
  };
  setSingleton("database", Promise.resolve(database));
  return {
    jobs,
    context: { jobs: recorder, sandboxPartner: null },
    release() {
      dropSingleton("database");
    },
  };
}

/** The `name=value` pairs of a response's Set-Cookie headers, ready for a Cookie header. */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Route loaders and actions return data or throw/return a Response; this gives back either. */
export async function settle<T>(run: () => Promise<T>): Promise<T | Response> {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export function formRequest(
  url: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Request {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  return new Request(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
}
