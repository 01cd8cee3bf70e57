import pino from "pino";

/** JSON logs. Entry points set `logger.level` from the validated LOG_LEVEL (env.server.ts). */
export const logger = pino({
  // vitest sets VITEST; tests opt in to logs through LOG_LEVEL in their own setup.
  level: process.env.VITEST ? "silent" : "info",
  base: { service: "mahnwerk" },
  redact: ["req.headers.authorization", "req.headers.cookie", "*.accessToken", "*.token"],
});
