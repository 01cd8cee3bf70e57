import { Button, ButtonGroup, IndexTable, InlineStack, Text } from "@shopify/polaris";

import { CaseStatusBadge } from "#app/components/case-status-badge";
import { nextActionText } from "#app/i18n/case-texts";
import type { MessageKey } from "#app/i18n/i18n";
import { useLocale, useT } from "#app/i18n/react";
import { daysOverdue, formatDate, formatMinor } from "#app/utils/format";

import type { CaseListRow, RowIntent } from "./types";

/** One case in the list: a click opens it; its own start/cancel buttons act on it alone. */
export function CaseRow({
  row,
  position,
  selected,
  today,
  timezone,
  onOpen,
  onAct,
}: {
  row: CaseListRow;
  position: number;
  selected: boolean;
  today: string;
  timezone: string;
  onOpen: (id: string) => void;
  onAct: (intent: RowIntent, id: string) => void;
}) {
  const t = useT();
  const { intl } = useLocale();
  return (
    <IndexTable.Row id={row.id} position={position} selected={selected} onClick={() => onOpen(row.id)}>
      <IndexTable.Cell>
        <InlineStack gap="100" wrap={false}>
          <Text as="span" fontWeight="semibold">
            {row.orderName}
          </Text>
          {row.kind === "chargeback" ? (
            <Text as="span" tone="magic" variant="bodySm">
              {t("kind.chargeback")}
            </Text>
          ) : null}
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>{row.customer}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatMinor(row.outstandingMinor, row.currency, intl)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>{formatDate(row.dueDate, intl)}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {daysOverdue(row.dueDate, today, timezone)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <CaseStatusBadge
          status={row.status}
          partnerSubStatus={row.partnerSubStatus}
          cancellationRequested={row.cancellationRequested}
        />
      </IndexTable.Cell>
      <IndexTable.Cell>
        {t((row.dunningLevel ? `level.${row.dunningLevel}` : "level.none") as MessageKey)}
      </IndexTable.Cell>
      <IndexTable.Cell>
        <NextAction status={row.status} level={row.dunningLevel} date={row.nextActionDate} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <RowActions row={row} onAct={onAct} />
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

function RowActions({ row, onAct }: { row: CaseListRow; onAct: (intent: RowIntent, id: string) => void }) {
  const t = useT();
  return (
    // Buttons inside a clickable row must not open the case.
    <div onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()} role="presentation">
      <ButtonGroup noWrap>
        {row.actions.includes("start") ? (
          <Button
            size="slim"
            onClick={() => onAct("start", row.id)}
            accessibilityLabel={t("row.startLabel", { order: row.orderName })}
          >
            {t("action.start")}
          </Button>
        ) : null}
        {row.actions.includes("cancel") ? (
          <Button
            size="slim"
            tone="critical"
            variant="plain"
            onClick={() => onAct("cancel", row.id)}
            accessibilityLabel={t("row.cancelLabel", { order: row.orderName })}
          >
            {t("action.cancel")}
          </Button>
        ) : null}
      </ButtonGroup>
    </div>
  );
}

/** What happens next to a case, and when: the next reminder while it runs, who has it otherwise. */
export function NextAction({ status, level, date }: { status: string; level: string | null; date: string | null }) {
  const t = useT();
  const { intl } = useLocale();
  const text = nextActionText(t, intl, { status, level, date });
  if (text === null)
    return (
      <Text as="span" tone="subdued">
        {t("level.none")}
      </Text>
    );
  return <Text as="span">{text}</Text>;
}
