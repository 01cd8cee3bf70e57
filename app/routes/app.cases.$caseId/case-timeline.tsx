import { Badge, BlockStack, Card, InlineStack, Text } from "@shopify/polaris";

import { actorText, eventTitle } from "#app/i18n/case-texts";
import type { MessageKey, Translate } from "#app/i18n/i18n";
import { useT } from "#app/i18n/react";

import type { CaseEvent } from "./case-data";
import { useMoment, useMoney } from "./use-case-format";

/** Everything that happened to the case, newest first, with who did it and why. */
export function CaseTimeline({
  events,
  currency,
  timezone,
}: {
  events: CaseEvent[];
  currency: string;
  timezone: string;
}) {
  const t = useT();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("case.section.timeline")}
        </Text>
        {events.length === 0 ? <Text as="p">{t("case.noEvents")}</Text> : null}
        <BlockStack gap="300" as="ol">
          {[...events].reverse().map((e) => (
            <TimelineEntry key={e.seq} event={e} currency={currency} timezone={timezone} />
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

function TimelineEntry({ event: e, currency, timezone }: { event: CaseEvent; currency: string; timezone: string }) {
  const t = useT();
  const money = useMoney(currency);
  const moment = useMoment(timezone);
  return (
    <li style={{ listStyle: "none" }}>
      <BlockStack gap="050">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" fontWeight="semibold">
            {eventTitle(t, e, money)}
          </Text>
          {e.detail.side ? <Badge>{t(e.detail.side === "partner" ? "payment.partner" : "payment.shop")}</Badge> : null}
          {e.detail.automatic ? <Badge>{t("case.automatic")}</Badge> : null}
        </InlineStack>
        <Text as="span" tone="subdued">
          <time dateTime={e.occurredAt}>{moment(e.occurredAt)}</time> · {actorText(t, e)}
        </Text>
        {e.reason ? <Text as="p">{t("case.reasonLabel", { reason: e.reason })}</Text> : null}
        {e.detail.reasons.length > 0 ? (
          <Text as="p" tone="subdued">
            {e.detail.reasons.map((r) => checkText(t, r)).join(", ")}
          </Text>
        ) : null}
      </BlockStack>
    </li>
  );
}

/** A check code without a message of its own is shown as it is rather than as its message key. */
function checkText(t: Translate, code: string): string {
  const text = t(`check.${code}` as MessageKey);
  return text === `check.${code}` ? code : text;
}
