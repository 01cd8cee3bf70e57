// @vitest-environment happy-dom
import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, expect, test, vi } from "vitest";

import { useDebouncedQuery } from "./use-debounced-query";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

test("typing commits once, trimmed, after a pause; an empty field commits null", () => {
  const commit = vi.fn();
  const { result } = renderHook(() => useDebouncedQuery("", commit));
  act(() => result.current[1]("Mus"));
  act(() => vi.advanceTimersByTime(200));
  act(() => result.current[1]("Muster "));
  act(() => vi.advanceTimersByTime(349));
  expect(commit).not.toHaveBeenCalled();
  act(() => vi.advanceTimersByTime(1));
  expect(commit).toHaveBeenCalledExactlyOnceWith("Muster");

  const cleared = vi.fn();
  const second = renderHook(() => useDebouncedQuery("Muster", cleared));
  act(() => second.result.current[1]("  "));
  act(() => vi.advanceTimersByTime(350));
  expect(cleared).toHaveBeenCalledExactlyOnceWith(null);
});

test("a query changed in the URL (Back, a cleared filter) replaces the text and commits nothing", () => {
  const commit = vi.fn();
  const { result, rerender } = renderHook(({ current }) => useDebouncedQuery(current, commit), {
    initialProps: { current: "Muster" },
  });
  rerender({ current: "Schmidt" });
  expect(result.current[0]).toBe("Schmidt");
  act(() => vi.advanceTimersByTime(1_000));
  expect(commit).not.toHaveBeenCalled();
});

test("the latest callback is the one called, without restarting the pause", () => {
  const first = vi.fn();
  const latest = vi.fn();
  const { result, rerender } = renderHook(({ commit }) => useDebouncedQuery("", commit), {
    initialProps: { commit: first },
  });
  act(() => result.current[1]("Erika"));
  act(() => vi.advanceTimersByTime(300));
  rerender({ commit: latest });
  act(() => vi.advanceTimersByTime(50));
  expect(first).not.toHaveBeenCalled();
  expect(latest).toHaveBeenCalledExactlyOnceWith("Erika");
});
