import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, expect, test } from "vitest";

import { Spool } from "#app/utils/spool.server";

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "spool-test-"));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());

test("the reader gets what was written, in order, waits for more, and sees the end; no file is left", async () => {
  const spool = await Spool.open(directory);
  expect(readdirSync(directory)).toEqual([]);
  await spool.write(Buffer.from("abcdef"));
  expect(text(await spool.next(4))).toBe("abcd");
  expect(text(await spool.next(4))).toBe("ef");
  const waiting = spool.next();
  await spool.write(Buffer.from("gh"));
  expect(text(await waiting)).toBe("gh");
  const atEnd = spool.next();
  spool.end();
  expect(await atEnd).toBeNull();
  await spool.close();
});

test("a writer's error reaches the reader after what was written before it", async () => {
  const spool = await Spool.open(directory);
  await spool.write(Buffer.from("ok"));
  spool.end(new Error("COPY failed"));
  expect(text(await spool.next())).toBe("ok");
  await expect(spool.next()).rejects.toThrow("COPY failed");
  await spool.close();
});

test("after the reader closed it, writes are dropped and a waiting reader ends", async () => {
  const spool = await Spool.open(directory);
  const waiting = spool.next();
  await spool.close();
  expect(await waiting).toBeNull();
  expect(spool.abandoned).toBe(true);
  await expect(spool.write(Buffer.from("late"))).resolves.toBeUndefined();
});
