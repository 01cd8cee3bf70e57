import { describe, expect, test } from "vitest";

import { groupCommit } from "./group-commit";

const ok = <O>(value: O) => ({ status: "fulfilled", value }) as const;

describe("group commit", () => {
  test("submits of one event-loop turn are written together, later ones in the next write", async () => {
    const writes: number[][] = [];
    let release: () => void = () => {};
    const committer = groupCommit<number, number>({
      maxItems: 100,
      maxWriters: 1,
      write: async (items) => {
        writes.push(items);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items.map((item) => ok(item * 10));
      },
    });
    const first = [1, 2, 3].map((n) => committer.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    // While the first write is in flight, these wait for the next one.
    const second = [4, 5].map((n) => committer.submit(n));
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(writes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  test("a batch closes at its item and weight limits", async () => {
    const writes: string[][] = [];
    const committer = groupCommit<string, string>({
      maxItems: 3,
      maxWeight: 5,
      weight: (item) => item.length,
      maxWriters: 1,
      write: async (items) => {
        writes.push(items);
        return items.map(ok);
      },
    });
    await Promise.all(["a", "b", "c", "d", "eeeeee", "f", "g"].map((item) => committer.submit(item)));
    expect(writes).toEqual([
      ["a", "b", "c"],
      ["d", "eeeeee"],
      ["f", "g"],
    ]);
  });

  test("a failed write fails its whole batch, a rejected outcome only its item; the next batch is written", async () => {
    let calls = 0;
    const committer = groupCommit<number, number>({
      maxItems: 2,
      maxWriters: 1,
      write: async (items) => {
        calls++;
        if (calls === 1) throw new Error("connection lost");
        return items.map((item) => (item === 4 ? { status: "rejected", reason: new Error("refused row") } : ok(item)));
      },
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => committer.submit(n)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      "connection lost",
      "connection lost",
      3,
      "refused row",
    ]);
  });

  test("at most maxWriters writes are in flight, and drain waits for them", async () => {
    let inFlight = 0;
    let peak = 0;
    const written: number[] = [];
    const committer = groupCommit<number, void>({
      maxItems: 1,
      maxWriters: 3,
      write: async (items) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        written.push(...items);
        return items.map(() => ok(undefined));
      },
    });
    for (let n = 0; n < 10; n++) void committer.submit(n);
    await committer.drain();
    expect(written.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });
});
