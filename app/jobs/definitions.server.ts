import type { JobDefinition } from "./jobs.server";

/** Every queue the workers serve. */
export const jobDefinitions: JobDefinition<any>[] = [];
