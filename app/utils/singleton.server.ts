/**
 * One instance per process, even when a module is evaluated twice (Vite's dev server re-runs
 * modules on change, and the production server and the Remix build each hold a copy of app code).
 * The embedded database in particular must never be opened twice.
 */
export function singleton<T>(name: string, create: () => T): T {
  const store = ((globalThis as { __mahnwerk?: Map<string, unknown> }).__mahnwerk ??= new Map());
  if (!store.has(name)) store.set(name, create());
  return store.get(name) as T;
}

export function dropSingleton(name: string): void {
  (globalThis as { __mahnwerk?: Map<string, unknown> }).__mahnwerk?.delete(name);
}

export function setSingleton<T>(name: string, value: T): void {
  ((globalThis as { __mahnwerk?: Map<string, unknown> }).__mahnwerk ??= new Map()).set(name, value);
}

export function getSingleton<T>(name: string): T | undefined {
  return (globalThis as { __mahnwerk?: Map<string, unknown> }).__mahnwerk?.get(name) as T | undefined;
}
