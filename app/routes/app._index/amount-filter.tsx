import { BlockStack, Button, TextField } from "@shopify/polaris";
import { useState } from "react";

import { useLocale, useT } from "#app/i18n/react";
import { formatMinor, inputToMinor, minorToInput } from "#app/utils/format";

import type { ListUrl } from "./list-url";

/** Typed text of one bound: null minor units for empty, and whether the text is no amount at all. */
function bound(text: string, currency: string) {
  const minor = text.trim() === "" ? null : inputToMinor(text, currency);
  return { minor, invalid: minor === null && text.trim() !== "" };
}

/**
 * The outstanding-amount range, typed in the shop's currency and applied with its button. The text outlives the
 * popover (Polaris unmounts a closed filter), so its state sits with the page.
 */
export function useAmountFilter({ params, goTo }: Pick<ListUrl, "params" | "goTo">, currency: string) {
  const t = useT();
  const { intl } = useLocale();
  const initial = (key: string) => (params.get(key) ? minorToInput(Number(params.get(key)), currency, intl) : "");
  const [minText, setMinText] = useState(() => initial("minAmount"));
  const [maxText, setMaxText] = useState(() => initial("maxAmount"));
  const reset = () => {
    setMinText("");
    setMaxText("");
  };
  const shown = (v: string | null) => (v ? formatMinor(Number(v), currency, intl) : "…");
  const applied =
    params.get("minAmount") || params.get("maxAmount")
      ? {
          key: "amount",
          label: t("filter.amount.applied", {
            from: shown(params.get("minAmount")),
            to: shown(params.get("maxAmount")),
          }),
          onRemove: () => {
            reset();
            goTo({ minAmount: null, maxAmount: null });
          },
        }
      : null;
  return { currency, minText, setMinText, maxText, setMaxText, goTo, applied, reset };
}

export function AmountFilter({ state }: { state: ReturnType<typeof useAmountFilter> }) {
  const t = useT();
  const { currency, minText, setMinText, maxText, setMaxText, goTo } = state;
  const min = bound(minText, currency);
  const max = bound(maxText, currency);
  const reversed = min.minor !== null && max.minor !== null && min.minor > max.minor;
  return (
    <BlockStack gap="200">
      <TextField
        label={t("filter.amountFrom")}
        value={minText}
        onChange={setMinText}
        autoComplete="off"
        inputMode="decimal"
        suffix={currency}
        error={min.invalid ? t("form.error.amount") : undefined}
      />
      <TextField
        label={t("filter.amountTo")}
        value={maxText}
        onChange={setMaxText}
        autoComplete="off"
        inputMode="decimal"
        suffix={currency}
        error={max.invalid ? t("form.error.amount") : reversed ? t("filter.amountInvalid") : undefined}
      />
      <Button
        disabled={min.invalid || max.invalid || reversed}
        onClick={() =>
          goTo({
            minAmount: min.minor === null ? null : String(min.minor),
            maxAmount: max.minor === null ? null : String(max.minor),
          })
        }
      >
        {t("filter.apply")}
      </Button>
    </BlockStack>
  );
}
