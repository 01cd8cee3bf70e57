/**
 * The Function's input, as the query in cart_payment_methods_transform_run.graphql returns it (Payment Customization
 * Function API 2026-10; test/invoice-guard.test.ts checks both against Shopify's schema).
 */
export type CartPaymentMethodsTransformRunInput = {
  cart: { buyerIdentity: { customer: { openCase: { value: string } | null } | null } | null };
  paymentCustomization: { configuration: { jsonValue: unknown } | null };
  paymentMethods: { id: string; name: string }[];
};

export type CartPaymentMethodsTransformRunResult = { operations: { paymentMethodHide: { paymentMethodId: string } }[] };

const NO_CHANGES: CartPaymentMethodsTransformRunResult = { operations: [] };

/** The invoice methods by name, as Mahnwerk's settings list them (compared like its order intake: trimmed, any case). */
function invoiceMethods(configuration: unknown): Set<string> {
  const names = (configuration as { invoiceMethods?: unknown } | null)?.invoiceMethods;
  if (!Array.isArray(names)) return new Set();
  return new Set(names.filter((n): n is string => typeof n === "string").map((n) => n.trim().toLowerCase()));
}

/**
 * Hides the invoice methods, and nothing else, for a signed-in customer Mahnwerk flagged with an open case. Anything
 * missing or unreadable (a guest, no flag, no configuration) changes nothing: the guard fails open.
 */
export function cartPaymentMethodsTransformRun(
  input: CartPaymentMethodsTransformRunInput,
): CartPaymentMethodsTransformRunResult {
  if (input.cart.buyerIdentity?.customer?.openCase?.value !== "true") return NO_CHANGES;
  const hidden = invoiceMethods(input.paymentCustomization.configuration?.jsonValue ?? null);
  if (hidden.size === 0) return NO_CHANGES;
  return {
    operations: input.paymentMethods
      .filter((method) => hidden.has(method.name.trim().toLowerCase()))
      .map((method) => ({ paymentMethodHide: { paymentMethodId: method.id } })),
  };
}
