import { describe, expect, test } from "vitest";

import { databaseUrlFor, nodeFlagsOf, percentile, summarize } from "../../bench/support";

describe("bench statistics", () => {
  test("percentile is the nearest rank of sorted samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  test("summarize sorts a copy and reports p50/p95/p99", () => {
    const samples = [5, 1, 4, 2, 3];
    const summary = summarize(samples);
    expect(summary).toEqual({ count: 5, min: 1, mean: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  test("a bench database lives on the same server, with the same user and options", () => {
    expect(databaseUrlFor("postgres://postgres:pw@127.0.0.1:5432/test?sslmode=disable", "mahnwerk_bench_x_1")).toBe(
      "postgres://postgres:pw@127.0.0.1:5432/mahnwerk_bench_x_1?sslmode=disable",
    );
  });

  test("the bench starts the web process with the flags of `npm start` and `npm run worker`", () => {
    // A small young generation: the web and worker processes' peak RSS (docs/decisions/008-process-memory.md).
    expect(nodeFlagsOf("start")).toEqual(["--max-semi-space-size=8"]);
    expect(nodeFlagsOf("worker")).toEqual(["--max-semi-space-size=8"]);
  });
});
