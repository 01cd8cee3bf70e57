import { BlockStack, Button, ChoiceList, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { formatDate } from "#app/utils/format";

import type { ListUrl } from "./list-url";

const PERIOD_CHOICES = ["all", "7", "30", "90", "custom"] as const;

/**
 * The due-date period: a preset, or a custom range applied with its button. The typed range outlives the popover
 * (Polaris unmounts a closed filter), so its state sits with the page.
 */
export function usePeriodFilter({ params, goTo }: Pick<ListUrl, "params" | "goTo">) {
  const t = useT();
  const { intl } = useLocale();
  const period = params.get("period") ?? (params.get("from") || params.get("to") ? "custom" : "all");
  const [from, setFrom] = useState(params.get("from") ?? "");
  const [to, setTo] = useState(params.get("to") ?? "");
  const clear = () => goTo({ period: null, from: null, to: null });
  const applied =
    period === "all"
      ? null
      : {
          key: "period",
          label:
            period === "custom"
              ? t("filter.period.range", {
                  from: params.get("from") ? formatDate(params.get("from")!, intl) : "…",
                  to: params.get("to") ? formatDate(params.get("to")!, intl) : "…",
                })
              : t(`filter.period.${period}` as MessageKey),
          onRemove: clear,
        };
  return { period, from, setFrom, to, setTo, goTo, applied };
}

export function PeriodFilter({ state }: { state: ReturnType<typeof usePeriodFilter> }) {
  const t = useT();
  const { period, from, setFrom, to, setTo, goTo } = state;
  const rangeInvalid = from !== "" && to !== "" && from > to;
  return (
    <BlockStack gap="200">
      <ChoiceList
        title={t("filter.period")}
        titleHidden
        choices={PERIOD_CHOICES.map((p) => ({ label: t(`filter.period.${p}` as MessageKey), value: p }))}
        selected={[period]}
        onChange={([value]) => {
          if (value === "custom") goTo({ period: null });
          else goTo({ period: value === "all" ? null : (value ?? null), from: null, to: null });
        }}
      />
      {period === "custom" ? (
        <BlockStack gap="200">
          <TextField label={t("filter.from")} type="date" value={from} onChange={setFrom} autoComplete="off" />
          <TextField
            label={t("filter.to")}
            type="date"
            value={to}
            onChange={setTo}
            autoComplete="off"
            error={rangeInvalid ? t("filter.rangeInvalid") : undefined}
          />
          <Button disabled={rangeInvalid} onClick={() => goTo({ period: null, from: from || null, to: to || null })}>
            {t("filter.apply")}
          </Button>
        </BlockStack>
      ) : null}
    </BlockStack>
  );
}
