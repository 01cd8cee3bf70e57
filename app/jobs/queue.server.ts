import { getSingleton } from "#app/utils/singleton.server";
import type { Jobs } from "./jobs.server";

/** Sends a job through the process's pg-boss (started by app/process.server.ts). */
export async function enqueue(name: string, data: object, options?: { singletonKey?: string; startAfter?: Date | number }) {
  const jobs = getSingleton<Jobs>("jobs");
  if (!jobs) throw new Error("background jobs are not started in this process");
  return jobs.send(name, data, options);
}

/**
 * Queues a job in the next shared batch (Jobs.sendBatched): for hot paths where many requests queue the same kind of
 * job at once. Resolves once stored.
 */
export async function enqueueBatched(name: string, data: object): Promise<void> {
  const jobs = getSingleton<Jobs>("jobs");
  if (!jobs) throw new Error("background jobs are not started in this process");
  return jobs.sendBatched(name, data);
}
