// @vitest-environment happy-dom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ComponentProps } from "react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterEach, describe, expect, test } from "vitest";

import { type Locale, type MessageKey, translator } from "#app/i18n/i18n";
import { PARTNER_ABILITIES, type PartnerSettingsView } from "#app/services/collection/partner-settings.server";
import { Providers } from "#test/support/render";

import { PartnerSection } from "./partner-section";

afterEach(cleanup);

type Props = ComponentProps<typeof PartnerSection>;

const NOTHING_STORED: PartnerSettingsView = {
  partner: null,
  environment: "sandbox",
  clientId: "",
  secretStored: false,
  uuid: "",
  available: {
    sandbox: true,
    riverty: { sandbox: true, production: false },
    mediafinanz: { sandbox: true, production: false },
  },
  casesWithPartner: 0,
  abilities: PARTNER_ABILITIES,
};
const RIVERTY_STORED: PartnerSettingsView = {
  partner: "riverty",
  environment: "production",
  clientId: "client-7",
  secretStored: true,
  uuid: "",
  available: {
    sandbox: false,
    riverty: { sandbox: true, production: true },
    mediafinanz: { sandbox: false, production: false },
  },
  casesWithPartner: 0,
  abilities: PARTNER_ABILITIES,
};

/** The section under a data router (it is a Remix form); what it posts is collected in `posts`. */
function renderPartnerSection(locale: Locale, props: Partial<Props> & { partner: PartnerSettingsView }) {
  const t = translator(locale);
  const posts: Record<string, FormDataEntryValue>[] = [];
  const router = createMemoryRouter(
    [
      {
        path: "/app/settings",
        action: async ({ request }) => {
          posts.push(Object.fromEntries(await request.formData()));
          return null;
        },
        element: (
          <Providers locale={locale}>
            <PartnerSection result={undefined} formatError={(e) => t(e.key as MessageKey, e.values)} {...props} />
          </Providers>
        ),
      },
    ],
    { initialEntries: ["/app/settings"] },
  );
  render(<RouterProvider router={router} future={{ v7_startTransition: true }} />);
  return posts;
}

describe.each(["de", "en"] as Locale[])("partner section in %s", (locale) => {
  const t = translator(locale);
  const partner = () => screen.getByLabelText(t("settings.partner")) as HTMLSelectElement;
  const clientId = () => screen.queryByLabelText(t("settings.partner.clientId")) as HTMLInputElement | null;
  const environment = () => screen.getByLabelText(t("settings.partner.environment")) as HTMLSelectElement;
  const secretInput = () => screen.queryByLabelText(t("settings.partner.clientSecret")) as HTMLInputElement | null;

  test("the sandbox needs no credentials; choosing Riverty shows them, choosing the sandbox again hides them", async () => {
    const user = userEvent.setup({ delay: null });
    renderPartnerSection(locale, { partner: NOTHING_STORED });
    await screen.findByLabelText(t("settings.partner"));
    expect(partner().value).toBe("sandbox");
    expect(screen.getByText(t("settings.partner.sandboxHelp"))).toBeTruthy();
    expect(clientId()).toBeNull();
    expect(secretInput()).toBeNull();

    await user.selectOptions(partner(), "riverty");
    expect(screen.queryByText(t("settings.partner.sandboxHelp"))).toBeNull();
    expect(clientId()?.value).toBe("");
    // No secret stored yet: it is asked for straight away, with no "leave empty" hint.
    expect(secretInput()?.type).toBe("password");
    expect(screen.queryByText(t("settings.partner.secretKeep"))).toBeNull();
    const production = [...environment().options].find((o) => o.value === "production")!;
    expect(production.disabled).toBe(true);
    expect(production.textContent).toBe(
      t("settings.partner.environment.unavailable", { environment: t("settings.partner.environment.production") }),
    );

    await user.selectOptions(partner(), "sandbox");
    expect(clientId()).toBeNull();
    expect(secretInput()).toBeNull();
  });

  test("a stored secret is never shown: it reads Stored until Replace asks for a new one", async () => {
    const user = userEvent.setup({ delay: null });
    renderPartnerSection(locale, { partner: RIVERTY_STORED });
    expect(((await screen.findByLabelText(t("settings.partner.clientId"))) as HTMLInputElement).value).toBe("client-7");
    expect(environment().value).toBe("production");
    expect(secretInput()).toBeNull();
    expect(screen.getByText(t("settings.partner.secretStored"))).toBeTruthy();
    // The sandbox partner is not offered on this installation.
    expect([...partner().options].find((o) => o.value === "sandbox")?.disabled).toBe(true);

    await user.click(screen.getByRole("button", { name: t("settings.partner.replaceSecret") }));
    expect(secretInput()?.value).toBe("");
    expect(screen.getByText(t("settings.partner.secretKeep"))).toBeTruthy();
    expect(screen.queryByText(t("settings.partner.secretStored"))).toBeNull();
  });

  test("the environment chosen survives a detour through the sandbox", async () => {
    const user = userEvent.setup({ delay: null });
    renderPartnerSection(locale, {
      partner: { ...RIVERTY_STORED, available: { ...RIVERTY_STORED.available, sandbox: true } },
    });
    await user.selectOptions(await screen.findByLabelText(t("settings.partner.environment")), "sandbox");
    await user.selectOptions(partner(), "sandbox");
    await user.selectOptions(partner(), "riverty");
    expect(environment().value).toBe("sandbox");
  });

  test("each button posts its own intent with the credentials", async () => {
    const user = userEvent.setup({ delay: null });
    const posts = renderPartnerSection(locale, { partner: NOTHING_STORED });
    await user.selectOptions(await screen.findByLabelText(t("settings.partner")), "riverty");
    await user.type(clientId()!, "id-1");
    await user.type(secretInput()!, "s3cret");

    await user.click(screen.getByRole("button", { name: t("settings.partner.test") }));
    await expect.poll(() => posts.length, { timeout: 10_000 }).toBe(1);
    expect(posts[0]).toEqual({
      partner: "riverty",
      environment: "sandbox",
      clientId: "id-1",
      clientSecret: "s3cret",
      intent: "testPartner",
    });

    await user.click(screen.getByRole("button", { name: t("settings.partner.save") }));
    await expect.poll(() => posts.length, { timeout: 10_000 }).toBe(2);
    expect(posts[1]?.intent).toBe("savePartner");
  });

  test("the answer is shown: a success, a failure with its reason, errors at their fields", async () => {
    renderPartnerSection(locale, {
      partner: NOTHING_STORED,
      result: { intent: "partner", ok: true, done: "connected" },
    });
    expect(await screen.findByText(t("settings.partner.connected"))).toBeTruthy();
    cleanup();

    renderPartnerSection(locale, {
      partner: RIVERTY_STORED,
      result: {
        intent: "partner",
        ok: false,
        failure: "401 Unauthorized",
        errors: { "partner.clientId": { key: "form.error.invalid" } },
      },
    });
    expect(await screen.findByText(t("settings.partner.failed", { reason: "401 Unauthorized" }))).toBeTruthy();
    expect(clientId()?.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText(t("form.error.invalid" as MessageKey))).toBeTruthy();
    expect(screen.queryByText(t("settings.partner.connected"))).toBeNull();
  });
});
