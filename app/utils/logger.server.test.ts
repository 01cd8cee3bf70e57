import { Writable } from "node:stream";

import pino from "pino";
import { describe, expect, test } from "vitest";

import { serializeError } from "./logger.server";

/** A driver error as node-postgres raises it during an outage: the connection object rides along. */
function driverError(): Error {
  const error = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
    severity: "FATAL",
    client: { connectionParameters: { user: "postgres", host: "db.internal", database: "mahnwerk" }, processID: 7952 },
  });
  return error;
}

describe("error log lines", () => {
  test("keep message, stack, SQLSTATE code and severity, and drop the driver's connection object", () => {
    const serialized = serializeError(driverError()) as Record<string, unknown>;
    expect(serialized).toMatchObject({
      type: "Error",
      message: "terminating connection due to administrator command",
      code: "57P01",
      severity: "FATAL",
    });
    expect(serialized.stack).toContain("driverError");
    expect(serialized).not.toHaveProperty("client");
  });

  test("a logger with the serializer writes no connection details for `err`", () => {
    let line = "";
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((line += chunk.toString()), done()) });
    pino({ serializers: { err: serializeError } }, sink).error({ err: driverError() }, "job queue error");
    expect(JSON.parse(line)).toMatchObject({ msg: "job queue error", err: { code: "57P01" } });
    expect(line).not.toContain("db.internal");
  });

  test("values that are not errors pass through unchanged", () => {
    expect(serializeError("plain reason")).toBe("plain reason");
  });
});
