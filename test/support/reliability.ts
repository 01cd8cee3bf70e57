/**
 * The reliability suite (test/reliability) runs small inside `npm test` and at full size under
 * `npm run test:reliability` (RELIABILITY=full): the same tests, only the counts change.
 */
export const fullReliability = process.env.RELIABILITY === "full";

export function scale(small: number, full: number): number {
  return fullReliability ? full : small;
}
