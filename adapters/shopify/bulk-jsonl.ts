// Reading a Shopify bulk operation's JSONL result as a stream. Every node is a line of its own; a node of a nested
// connection carries `__parentId` (the gid of its parent) and follows its parent. The file of a large shop is
// hundreds of megabytes, so nothing here holds more than one chunk, one partial line and one batch of orders.

/** The lines of a UTF-8 byte stream, without their line breaks; pulls the next chunk only when asked. */
export async function* jsonlLines(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let rest = "";
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n", start); end !== -1; end = text.indexOf("\n", start)) {
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

type Json = Record<string, unknown>;

export type BulkLineKind = "order" | "child" | "orphan" | "ignored";

/**
 * Orders of one batch, with their child lines (payment schedules) put back where the paginated query has them:
 * `paymentTerms.paymentSchedules.edges[].node`, so normalizeShopifyOrderNode reads both alike. A child names either
 * the order or its payment terms as parent; both are indexed.
 */
export class BulkOrderBatch {
  private orders = new Map<string, Json>();
  private parents = new Map<string, Json>();

  get size(): number {
    return this.orders.size;
  }

  /** What a parsed line is, without adding it: an order line starts a new order, anything else joins one. */
  static kindOf(row: unknown): "order" | "child" | "ignored" {
    if (!isObject(row) || typeof row.id !== "string") return "ignored";
    if (typeof row.__parentId === "string") return "child";
    return row.id.startsWith("gid://shopify/Order/") ? "order" : "ignored";
  }

  add(row: unknown): BulkLineKind {
    const kind = BulkOrderBatch.kindOf(row);
    if (kind === "ignored") return kind;
    const line = row as Json;
    if (kind === "order") {
      this.orders.set(line.id as string, line);
      this.parents.set(line.id as string, line);
      const terms = line.paymentTerms;
      if (isObject(terms) && typeof terms.id === "string") this.parents.set(terms.id, line);
      return "order";
    }
    const order = this.parents.get(line.__parentId as string);
    if (!order) return "orphan";
    const { __parentId: _parent, ...node } = line;
    if ((node.id as string).startsWith("gid://shopify/PaymentSchedule/")) {
      const terms = isObject(order.paymentTerms) ? order.paymentTerms : (order.paymentTerms = {});
      const schedules = isObject(terms.paymentSchedules) ? terms.paymentSchedules : (terms.paymentSchedules = {});
      const edges = Array.isArray(schedules.edges) ? schedules.edges : (schedules.edges = []);
      edges.push({ node });
      return "child";
    }
    return "ignored";
  }

  /** The assembled order nodes, in file order; the batch is empty afterwards. */
  take(): Json[] {
    const nodes = [...this.orders.values()];
    this.orders.clear();
    this.parents.clear();
    return nodes;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
