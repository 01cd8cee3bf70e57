import { getSingleton } from "#app/utils/singleton.server";
import type { Jobs } from "./jobs.server";

/** Sends a job through the process's pg-boss (started by app/process.server.ts). */
export async function enqueue(name: string, data: object, options?: { singletonKey?: string; startAfter?: Date | number }) {
  const jobs = getSingleton<Jobs>("jobs");
  if (!jobs) throw new Error("background jobs are not started in this process");
  return jobs.send(name, data, options);
}
