import { describe, expect, test } from "vitest";

import { BulkOrderBatch, jsonlLines } from "./bulk-jsonl";
import { normalizeShopifyOrderNode } from "./normalize";

async function collect(chunks: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  async function* source() {
    for (const chunk of chunks) yield encoder.encode(chunk);
  }
  const lines: string[] = [];
  for await (const line of jsonlLines(source())) lines.push(line);
  return lines;
}

describe("jsonlLines", () => {
  test("joins lines split across chunks, also inside a multi-byte character, and drops CR", async () => {
    const bytes = new TextEncoder().encode('{"a":"München"}\r\n{"b":2}\n{"c":3}');
    const cut = 8; // between the two bytes of "ü"
    const decoder = new TextDecoder();
    const first = decoder.decode(bytes.slice(0, cut), { stream: true });
    expect(first).not.toContain("ü");
    async function* source() {
      yield bytes.slice(0, cut);
      yield bytes.slice(cut, 20);
      yield bytes.slice(20);
    }
    const lines: string[] = [];
    for await (const line of jsonlLines(source())) lines.push(line);
    expect(lines).toEqual(['{"a":"München"}', '{"b":2}', '{"c":3}']);
  });

  test("a trailing newline yields no empty last line", async () => {
    expect(await collect(["x\n", "y\n"])).toEqual(["x", "y"]);
  });
});

describe("BulkOrderBatch", () => {
  const order = (id: number, termsId?: number) => ({
    id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    createdAt: "2026-10-01T10:00:00Z",
    updatedAt: "2026-10-02T10:00:00Z",
    currencyCode: "EUR",
    displayFinancialStatus: "PENDING",
    paymentGatewayNames: ["Rechnung"],
    totalOutstandingSet: { shopMoney: { amount: "10.00", currencyCode: "EUR" } },
    currentTotalPriceSet: { shopMoney: { amount: "10.00", currencyCode: "EUR" } },
    paymentTerms: termsId
      ? { id: `gid://shopify/PaymentTerms/${termsId}`, paymentTermsName: "Net 30", dueInDays: 30 }
      : null,
  });
  const schedule = (id: number, parent: string, dueAt: string) => ({
    id: `gid://shopify/PaymentSchedule/${id}`,
    dueAt,
    completedAt: null,
    __parentId: parent,
  });

  test("puts schedule lines back under their order, whether they name the order or its payment terms", () => {
    const batch = new BulkOrderBatch();
    expect(batch.add(order(1, 11))).toBe("order");
    expect(batch.add(schedule(21, "gid://shopify/PaymentTerms/11", "2026-10-31T10:00:00Z"))).toBe("child");
    expect(batch.add(order(2, 12))).toBe("order");
    expect(batch.add(schedule(22, "gid://shopify/Order/2", "2026-11-15T10:00:00Z"))).toBe("child");
    expect(batch.add(schedule(23, "gid://shopify/Order/99", "2026-11-15T10:00:00Z"))).toBe("orphan");
    const nodes = batch.take();
    expect(batch.size).toBe(0);
    const due = nodes.map((node) => {
      const result = normalizeShopifyOrderNode(node);
      if (!result.ok) throw new Error(result.reason);
      return result.order.paymentTerms?.dueAt?.toISOString();
    });
    expect(due).toEqual(["2026-10-31T10:00:00.000Z", "2026-11-15T10:00:00.000Z"]);
  });

  test("kindOf tells an order line from a child line and ignores anything else", () => {
    expect(BulkOrderBatch.kindOf(order(1))).toBe("order");
    expect(BulkOrderBatch.kindOf(schedule(1, "gid://shopify/Order/1", "2026-10-31T10:00:00Z"))).toBe("child");
    expect(BulkOrderBatch.kindOf({ id: "gid://shopify/Customer/1" })).toBe("ignored");
    expect(BulkOrderBatch.kindOf([1, 2])).toBe("ignored");
  });
});
