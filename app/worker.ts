import { startProcess } from "#app/process.server";
import { logger } from "#app/utils/logger.server";

/** Workers only: run as many of these as needed, on as many machines, against one PostgreSQL. */
const running = await startProcess({ role: "worker" });
logger.info({ database: running.database.engine }, "worker started");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void running.stop().then(() => process.exit(0)));
}
