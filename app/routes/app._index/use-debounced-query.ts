import { useEffect, useState } from "react";

import { useLatest } from "#app/utils/use-latest";

/**
 * The search field's text: committed (trimmed, empty as null) after a pause in typing, and reset when the URL's query
 * changes under it (Back, a cleared filter).
 */
export function useDebouncedQuery(
  current: string,
  commit: (query: string | null) => void,
  delayMs = 350,
): [string, (value: string) => void] {
  const [value, setValue] = useState(current);
  const [shown, setShown] = useState(current);
  if (current !== shown) {
    setShown(current);
    setValue(current);
  }
  const latestCommit = useLatest(commit);
  useEffect(() => {
    if (value === current) return;
    const timer = setTimeout(() => latestCommit.current(value.trim() || null), delayMs);
    return () => clearTimeout(timer);
  }, [value, current, delayMs, latestCommit]);
  return [value, setValue];
}
