import type { JobQueue } from "#app/jobs/jobs.server";
import type { SandboxEndpoints } from "#app/services/collection/partner-settings.server";

// What server.ts hands every Remix loader and action as `context` (createRequestHandler's getLoadContext). The
// server and the Remix build each hold their own copy of the app's modules, so process services travel here
// rather than through module state.
declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The socket's peer, for rate limits (app/utils/client-address.server.ts); absent outside server.ts. */
    clientAddress?: string;
    /** This process's job queue. */
    jobs: JobQueue;
    /** The sandbox partner this process runs (demo mode), offered on the settings page; null elsewhere. */
    sandboxPartner: SandboxEndpoints | null;
  }
}
