// @vitest-environment happy-dom
import { cleanup, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, expect, test } from "vitest";

import { renderInTab } from "#test/support/render";

import { CheckboxField, FormField, NumberField, Section } from "./form-fields";

afterEach(cleanup);

const posted = (container: HTMLElement) => [...new FormData(container.querySelector("form")!).entries()];

test("a text field starts from the saved value and posts what was typed", async () => {
  const user = userEvent.setup({ delay: null });
  const { container } = renderInTab(
    <form>
      <FormField label="Name" name="sender.name" defaultValue="Wollwerk" autoComplete="off" />
    </form>,
  );
  expect(posted(container)).toEqual([["sender.name", "Wollwerk"]]);
  await user.type(screen.getByLabelText("Name"), " GmbH");
  expect(posted(container)).toEqual([["sender.name", "Wollwerk GmbH"]]);
});

test("a number field shows its value, its help and its error", () => {
  renderInTab(<NumberField name="transferGraceDays" label="Grace" value={3} help="Working days" error="Too many" />);
  const field = screen.getByLabelText("Grace") as HTMLInputElement;
  expect(field.value).toBe("3");
  expect(field.inputMode).toBe("numeric");
  expect(field.getAttribute("aria-invalid")).toBe("true");
  expect(screen.getByText("Working days")).toBeTruthy();
  expect(screen.getByText("Too many")).toBeTruthy();
});

test("a checkbox posts on when ticked and nothing when not, like a plain one", async () => {
  const user = userEvent.setup({ delay: null });
  const { container } = renderInTab(
    <form>
      <CheckboxField name="writeBack.tags" label="Tags" checked />
    </form>,
  );
  expect(posted(container)).toEqual([["writeBack.tags", "on"]]);
  await user.click(screen.getByLabelText("Tags"));
  expect(posted(container)).toEqual([]);
});

test("an explicit checkbox posts off when unticked, so the server can tell it from a missing field", async () => {
  const user = userEvent.setup({ delay: null });
  const { container } = renderInTab(
    <form>
      <CheckboxField name="consumerInvoiceWarns" label="Warns" checked={false} help="§ 286" explicit />
    </form>,
  );
  expect(posted(container)).toEqual([["consumerInvoiceWarns", "off"]]);
  await user.click(screen.getByLabelText("Warns"));
  expect(posted(container)).toEqual([["consumerInvoiceWarns", "on"]]);
  expect(screen.getByText("§ 286")).toBeTruthy();
});

test("a section shows its title and description beside its fields", () => {
  renderInTab(
    <Section title="Reminder fees" description="At most the real costs.">
      <p>fields</p>
    </Section>,
  );
  expect(screen.getByRole("heading", { name: "Reminder fees" })).toBeTruthy();
  expect(screen.getByText("At most the real costs.")).toBeTruthy();
  expect(screen.getByText("fields")).toBeTruthy();
});
