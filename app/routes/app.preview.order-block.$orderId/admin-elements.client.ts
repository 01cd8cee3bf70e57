/*
 * A thin stand-in for Shopify admin's UI components, so the app can show the order block outside the admin: the
 * block's own Preact code renders its s-* elements; plain ones are styled by their attributes below, and the two
 * that take input (text area, link) are small custom elements. Only what the block uses is here.
 */

const STYLES = `
s-admin-block {
  display: block; max-width: 420px; padding: 16px; border-radius: 12px; background: #fff; color: #303030;
  font: 13px/1.5 -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 1px 0 rgba(26,26,26,.07), inset 0 0 0 1px rgba(26,26,26,.12);
}
s-admin-block::before { content: attr(heading); display: block; font-weight: 650; font-size: 14px; margin-bottom: 12px; }
s-stack { display: flex; flex-direction: column; gap: 12px; }
s-stack[direction="inline"] { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 8px; }
s-stack[gap="small-300"], s-stack[gap="none"] { gap: 2px; }
s-text, s-paragraph, s-heading { display: block; }
s-stack[direction="inline"] > s-text { display: inline; }
s-text[type="strong"] { font-weight: 650; }
s-text[color="subdued"] { color: #616161; }
s-heading { font-weight: 650; margin-top: 4px; }
s-badge { display: inline-block; border-radius: 8px; padding: 2px 8px; font-weight: 550; background: #e3e3e3; }
s-badge[tone="info"] { background: #e0f0ff; color: #00527c; }
s-badge[tone="success"] { background: #cdfee1; color: #0c5132; }
s-badge[tone="warning"] { background: #ffd6a4; color: #5e4200; }
s-badge[tone="caution"] { background: #fff1a8; color: #4f4700; }
s-badge[tone="critical"] { background: #fedad9; color: #8e0b21; }
s-banner { display: block; border-radius: 8px; padding: 8px 12px; background: #e0f0ff; }
s-banner[tone="critical"] { background: #fedad9; color: #8e0b21; }
s-button { display: inline-block; cursor: pointer; border-radius: 8px; padding: 6px 12px; font-weight: 550; background: #fff; box-shadow: inset 0 0 0 1px #c9c9c9; user-select: none; }
s-button[variant="primary"] { background: #303030; color: #fff; box-shadow: none; }
s-button[variant="primary"][tone="critical"] { background: #c70a24; }
s-button[variant="secondary"][tone="critical"] { color: #8e0b21; }
s-button[disabled], s-button[loading="true"] { opacity: .5; pointer-events: none; }
s-link { align-self: flex-start; }
`;

class TextArea extends HTMLElement {
  #input = document.createElement("textarea");
  #label = document.createElement("label");
  #error = document.createElement("div");

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      label { display: block; margin-bottom: 4px; }
      textarea { box-sizing: border-box; width: 100%; font: inherit; border: 1px solid #8a8a8a; border-radius: 8px; padding: 6px 8px; }
      div { color: #8e0b21; margin-top: 4px; }
      div:empty { display: none; }`;
    this.#label.append(this.#input);
    this.#input.addEventListener("input", (event) => {
      event.stopPropagation();
      this.dispatchEvent(new Event("input", { bubbles: true }));
    });
    root.append(style, this.#label, this.#error);
    this.#label.prepend(document.createTextNode(""));
  }
  get value() {
    return this.#input.value;
  }
  set value(v: string) {
    if (this.#input.value !== v) this.#input.value = v;
  }
  set label(v: string) {
    this.#label.firstChild!.textContent = v;
  }
  set error(v: string | undefined) {
    this.#error.textContent = v ?? "";
  }
  set rows(v: number) {
    this.#input.rows = v;
  }
  set maxLength(v: number) {
    this.#input.maxLength = v;
  }
}

/** Preact always sets `href` as an attribute (never as a property), so the link follows the attribute. */
class Link extends HTMLElement {
  static observedAttributes = ["href"];
  #anchor = document.createElement("a");
  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    this.#anchor.append(document.createElement("slot"));
    this.#anchor.style.color = "#005bd3";
    root.append(this.#anchor);
  }
  attributeChangedCallback(_name: string, _old: string | null, value: string | null) {
    if (value === null) this.#anchor.removeAttribute("href");
    else this.#anchor.setAttribute("href", value);
  }
}

export function defineAdminElements(): void {
  if (customElements.get("s-text-area")) return;
  customElements.define("s-text-area", TextArea);
  customElements.define("s-link", Link);
  const style = document.createElement("style");
  style.textContent = STYLES;
  document.head.append(style);
}
