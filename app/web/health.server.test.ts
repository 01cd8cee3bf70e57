import { describe, expect, test } from "vitest";

import { DatabaseError } from "#app/db/client.server";
import { runRetention } from "#app/services/privacy/retention.server";
import { createTestDatabase, migrationCount, testEngines } from "#test/support/db";

import { checkHealth } from "./health.server";

describe.each(testEngines())("health on %s", (engine) => {
  test("200 with the engine and the number of applied migrations", async () => {
    const database = await createTestDatabase(engine);
    try {
      const health = await checkHealth(async () => database);
      expect(health).toEqual({
        status: 200,
        body: {
          status: "ok",
          database: engine,
          migrations: migrationCount(),
          retention: null,
          baseRates: expect.objectContaining({ error: null }),
        },
      });
      // After a retention sweep: when it ran and what it removed per rule.
      const run = await runRetention(database.db, { now: new Date() });
      const after = await checkHealth(async () => database);
      expect(after.body).toMatchObject({
        status: "ok",
        retention: { finishedAt: run.finishedAt.toISOString(), removed: run.removed, error: null },
      });
    } finally {
      await database.close();
    }
  }, 60_000); // the first PGlite of the file starts cold: seconds when quiet, far more under load

  test("503 with the reason once the database is gone", async () => {
    const database = await createTestDatabase(engine);
    await database.close();
    const health = await checkHealth(async () => database);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "error", database: engine, reason: expect.any(String) });
  });
});

test("503 when the database cannot be opened at all", async () => {
  const health = await checkHealth(async () => {
    throw new DatabaseError("Cannot reach PostgreSQL at postgres://db:5432/x: connect ECONNREFUSED");
  });
  expect(health).toEqual({
    status: 503,
    body: { status: "error", reason: "Cannot reach PostgreSQL at postgres://db:5432/x: connect ECONNREFUSED" },
  });
});
