import { describe, expect, test } from "vitest";

import { translator } from "#app/i18n/i18n";

import { selectedSort, sortOptions, sortParams } from "./sort-options";

describe("list sort", () => {
  test("every key sorts both ways, its direction worded for what it sorts", () => {
    const options = sortOptions(translator("en")) ?? [];
    expect(options.map((o) => o.value)).toEqual([
      "created asc",
      "created desc",
      "due asc",
      "due desc",
      "amount asc",
      "amount desc",
      "status asc",
      "status desc",
    ]);
    expect(options.find((o) => o.value === "amount desc")?.directionLabel).not.toBe(
      options.find((o) => o.value === "due desc")?.directionLabel,
    );
  });

  test("the default (newest first) keeps the URL clean; any other sort is in it", () => {
    expect(sortParams("created desc")).toEqual({ sort: null, direction: null });
    expect(sortParams(undefined)).toEqual({ sort: null, direction: null });
    expect(sortParams("due asc")).toEqual({ sort: "due", direction: "asc" });
    expect(selectedSort(new URLSearchParams())).toEqual(["created desc"]);
    expect(selectedSort(new URLSearchParams("sort=amount&direction=asc"))).toEqual(["amount asc"]);
  });
});
