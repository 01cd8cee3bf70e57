import pino from "pino";

/**
 * Errors as a log line can hold them. Database drivers hang their connection object on the error (node-postgres
 * under pg-boss: `client`, with its connection parameters, socket state and type tables): kilobytes of noise per
 * line during an outage, and connection details that do not belong in logs. What is left is what an operator acts
 * on: type, message, stack, the SQLSTATE code and severity, the cause.
 */
const CONNECTION_PROPERTIES = ["client", "connection", "socket", "pool"];

export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  for (const property of CONNECTION_PROPERTIES) delete serialized[property];
  return serialized;
}

/** JSON logs. Entry points set `logger.level` from the validated LOG_LEVEL (env.server.ts). */
export const logger = pino({
  // vitest sets VITEST; tests opt in to logs through LOG_LEVEL in their own setup.
  level: process.env.VITEST ? "silent" : "info",
  base: { service: "mahnwerk" },
  redact: ["req.headers.authorization", "req.headers.cookie", "*.accessToken", "*.token"],
  serializers: { err: serializeError },
});
