/**
 * Group commit: items submitted while earlier writes are in flight are written together in the next one (one
 * statement, one round trip, one commit for a whole burst). The first submit of an idle committer schedules a write
 * for the end of the current event-loop turn, so the submits of that turn join it; under load the batches grow by
 * themselves, and an idle process writes each item at once. Used where a hot path stores one row per request: inbox
 * deliveries and their jobs.
 */
export type GroupCommit<I, O> = {
  /** Resolves with the item's own result once its batch is written; rejects with its own failure or the batch's. */
  submit(item: I): Promise<O>;
  /** Resolves once everything submitted so far is written (or has failed). */
  drain(): Promise<void>;
};

export type GroupCommitOptions<I, O> = {
  /**
   * Writes a batch and returns each item's outcome in order. Throwing fails every item of the batch (storage itself
   * failed); a rejected outcome fails only its item.
   */
  write: (items: I[]) => Promise<PromiseSettledResult<O>[]>;
  /** Items per write at most. */
  maxItems: number;
  /** Closes a batch early once the items' weights reach this (e.g. body bytes). */
  maxWeight?: number;
  weight?: (item: I) => number;
  /** Writes in flight at once. */
  maxWriters: number;
};

type Pending<I, O> = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };

export function groupCommit<I, O>(options: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  const pending: Pending<I, O>[] = [];
  const writers = new Set<Promise<void>>();

  function nextBatch(): Pending<I, O>[] {
    let count = 0;
    let weight = 0;
    while (
      count < pending.length &&
      count < options.maxItems &&
      (options.maxWeight === undefined || weight < options.maxWeight)
    ) {
      weight += options.weight?.(pending[count]!.item) ?? 0;
      count++;
    }
    return pending.splice(0, count);
  }

  async function writeAll(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      const batch = nextBatch();
      let outcomes: PromiseSettledResult<O>[];
      try {
        outcomes = await options.write(batch.map((entry) => entry.item));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
        continue;
      }
      batch.forEach((entry, index) => {
        const outcome = outcomes[index];
        if (outcome?.status === "fulfilled") entry.resolve(outcome.value);
        else
          entry.reject(
            outcome ? outcome.reason : new Error("group commit: the write returned no outcome for this item"),
          );
      });
    }
  }

  return {
    submit(item) {
      const promise = new Promise<O>((resolve, reject) => pending.push({ item, resolve, reject }));
      if (writers.size < options.maxWriters) {
        const writer: Promise<void> = writeAll().finally(() => writers.delete(writer));
        writers.add(writer);
      }
      return promise;
    },
    async drain() {
      while (writers.size > 0) await Promise.all([...writers]);
    },
  };
}
