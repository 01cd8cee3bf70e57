import { useEffect, useRef } from "react";

/** The value of the last render, for effects and timers that must not restart when a callback's identity changes. */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}
