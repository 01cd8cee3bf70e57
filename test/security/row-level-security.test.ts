import { randomBytes } from "node:crypto";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { postgresTestUrl } from "#test/support/db";
import { ensureBuild, type RunningServer, runServerExpectingExit, startServer } from "#test/support/server";

/*
 * Row-level security off without anyone deciding it (ADR 006): on a PostgreSQL whose app user may not create or grant
 * the tenant role, production ran without the fence between shops and said so in one log line. It now refuses to
 * start unless ALLOW_WITHOUT_RLS is set. (PGlite runs as a superuser: the fence is always on there.)
 */

const adminUrl = postgresTestUrl();

describe.skipIf(!adminUrl)("production on PostgreSQL as a user without CREATEROLE", () => {
  const user = `mahnwerk_nocr_${randomBytes(4).toString("hex")}`;
  const dbName = `mahnwerk_test_${randomBytes(6).toString("hex")}`;
  let admin: postgres.Sql;
  let databaseUrl: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    admin = postgres(adminUrl!, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create role ${user} login nocreaterole`);
    await admin.unsafe(`create database ${dbName} owner ${user}`);
    const url = new URL(adminUrl!);
    url.username = user;
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
    await ensureBuild();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.unsafe(`drop role if exists ${user}`);
    await admin.end();
  });

  test("refuses to start with one line naming the missing role and the switch", async () => {
    const { code, output } = await runServerExpectingExit({
      DATABASE_URL: databaseUrl,
      DEMO: "1",
      LOG_LEVEL: "silent",
    });
    expect(code).toBe(1);
    expect(output.trim().split("\n")).toEqual([
      expect.stringMatching(/^mahnwerk: row-level security is off: role mahnwerk_tenant .*ALLOW_WITHOUT_RLS=1/),
    ]);
  }, 120_000);

  test("with ALLOW_WITHOUT_RLS=1 the operator's decision is taken and it serves", async () => {
    server = await startServer({ DATABASE_URL: databaseUrl, DEMO: "1", ALLOW_WITHOUT_RLS: "1" });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.stop();
    server = undefined;
  }, 180_000);
});
