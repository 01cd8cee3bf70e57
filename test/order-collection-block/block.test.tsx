// @vitest-environment happy-dom
/** @jsxImportSource preact */
// The order page block's rendering (extensions/order-collection-block/src/block.tsx) with its English texts: the
// admin components are custom elements here, so the test reads what the block hands them.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, expect, test, vi } from "vitest";

import en from "../../extensions/order-collection-block/locales/en.default.json";
import { OrderCollectionBlock } from "../../extensions/order-collection-block/src/block";
import type { BlockClient, BlockState, Summary } from "../../extensions/order-collection-block/src/data";
import { translatorFor } from "../../extensions/order-collection-block/src/translate";

const t = translatorFor(en);

const RUNNING: Extract<Summary, { tracked: true }> = {
  tracked: true,
  caseId: "0b9c7f0e-3f59-4a57-9d7c-3b1f8d1f0c11",
  casePath: "/app/cases/0b9c7f0e-3f59-4a57-9d7c-3b1f8d1f0c11",
  orderName: "#1042",
  status: "waiting_for_approval",
  statusText: "Waiting for approval",
  tone: "caution",
  outstandingText: "€119.90",
  levelText: "—",
  nextText: "Needs approval",
  timeline: [
    { title: "Case opened", at: "2 Dec 2026, 08:00", actor: "Schedule: dunning.sweep", reason: null },
    { title: "Order imported", at: "1 Dec 2026, 10:12", actor: "Shop platform: shopify", reason: null },
  ],
  actions: ["start", "cancel"],
  reasonMax: 500,
};

let container: HTMLElement;
afterEach(() => {
  render(null, container);
  container.remove();
});

async function mount(client: BlockClient) {
  container = document.createElement("div");
  document.body.append(container);
  await act(async () => {
    render(<OrderCollectionBlock client={client} t={t} caseHref={(p) => `https://app.example${p}`} />, container);
  });
  await act(async () => {});
  return container;
}

const ready = (summary: Summary, refusal: string | null = null): BlockState => ({ kind: "ready", summary, refusal });
const texts = (root: HTMLElement, selector: string) => [...root.querySelectorAll(selector)].map((e) => e.textContent);
const button = (root: HTMLElement, label: string) => {
  const found = [...root.querySelectorAll("s-button")].find((b) => b.textContent === label);
  if (!found) throw new Error(`no button "${label}" among ${texts(root, "s-button").join(", ")}`);
  return found as HTMLElement;
};

test("a case: status badge with its tone, amount, level, next step, the latest entries, actions and the link", async () => {
  const root = await mount({ load: async () => ready(RUNNING), act: vi.fn() });
  expect(root.querySelector("s-admin-block")?.getAttribute("heading")).toBe("Mahnwerk collections");
  const badge = root.querySelector("s-badge")!;
  expect(badge.textContent).toBe("Waiting for approval");
  expect((badge as unknown as { tone: string }).tone ?? badge.getAttribute("tone")).toBe("caution");
  expect(texts(root, "s-text")).toEqual(
    expect.arrayContaining(["€119.90", "Dunning level: —", "Next: Needs approval", "Case opened"]),
  );
  expect(texts(root, "s-text")).toContain("2 Dec 2026, 08:00 · Schedule: dunning.sweep");
  expect(texts(root, "s-button")).toEqual(["Start dunning", "Cancel case"]);
  expect(root.querySelector("s-link")?.getAttribute("href")).toBe(`https://app.example${RUNNING.casePath}`);
});

test("Start asks for a reason, refuses an empty one, and shows the case as the app answers", async () => {
  const started: Summary = { ...RUNNING, status: "running", statusText: "Running", tone: "info", actions: ["cancel"] };
  const actSpy = vi.fn(async () => ready(started));
  const root = await mount({ load: async () => ready(RUNNING), act: actSpy });
  await act(async () => button(root, "Start dunning").click());
  const field = root.querySelector("s-text-area") as HTMLElement & { value: string };
  expect(field.getAttribute("label")).toBe("Why start dunning now? (shown in the timeline)");
  await act(async () => button(root, "Start").click());
  expect(actSpy).not.toHaveBeenCalled();
  expect(field.getAttribute("error")).toBe("A reason is required.");

  field.value = "  Customer asked for a reminder  ";
  await act(async () => {
    field.dispatchEvent(new Event("input"));
  });
  await act(async () => button(root, "Start").click());
  await act(async () => {});
  expect(actSpy).toHaveBeenCalledWith("start", "Customer asked for a reminder");
  expect(root.querySelector("s-badge")?.textContent).toBe("Running");
  expect(texts(root, "s-button")).toEqual(["Cancel case"]);
  expect(root.querySelector("s-text-area")).toBeNull();
});

test("a refusal is shown above the case; Back leaves the reason field", async () => {
  const root = await mount({
    load: async () => ready(RUNNING),
    act: async () =>
      ready({ ...RUNNING, status: "paid", statusText: "Paid", tone: "success", actions: [] }, "The case is paid."),
  });
  await act(async () => button(root, "Cancel case").click());
  await act(async () => button(root, "Back").click());
  expect(root.querySelector("s-text-area")).toBeNull();
  await act(async () => button(root, "Cancel case").click());
  const field = root.querySelector("s-text-area") as HTMLElement & { value: string };
  field.value = "Paid in cash";
  await act(async () => {
    field.dispatchEvent(new Event("input"));
  });
  await act(async () => button(root, "Cancel case").click());
  await act(async () => {});
  expect(root.querySelector("s-banner")?.textContent).toBe("The case is paid.");
  expect(root.querySelector("s-badge")?.textContent).toBe("Paid");
  expect(root.querySelectorAll("s-button")).toHaveLength(0);
});

test("not tracked: one line; unreachable: a warning", async () => {
  let root = await mount({
    load: async () => ready({ tracked: false, reason: "not_invoice", text: "Not an invoice order: nothing to dun." }),
    act: vi.fn(),
  });
  expect(texts(root, "s-paragraph")).toEqual(["Not an invoice order: nothing to dun."]);
  expect(root.querySelector("s-badge")).toBeNull();
  render(null, root);
  root.remove();
  root = await mount({ load: async () => ({ kind: "failed", problem: "network" }), act: vi.fn() });
  expect(root.querySelector("s-banner")?.textContent).toBe(
    "Mahnwerk cannot be reached right now. Reload the page to try again.",
  );
});
