import { BlockStack, Modal, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { REASON_MAX } from "#app/domain/case/reason";
import { useT } from "#app/i18n/react";

/** What staff can do to a case from its page; each needs a reason for the timeline. */
export type CaseIntent =
  | "start"
  | "cancel"
  | "classify_business"
  | "classify_consumer"
  /** A handover whose answer never came: the partner's claim number, or a confirmed resend. */
  | "resolve_claim_number"
  | "resolve_resend";

/**
 * Start, cancel or a classification needs a reason (1–500 characters); it is stored in the case's timeline. The check here mirrors the
 * server's, which has the last word (its error arrives as `serverError`).
 */
export function ReasonModal({
  intent,
  description,
  submitting,
  serverError,
  onSubmit,
  onClose,
}: {
  intent: CaseIntent;
  description?: string;
  submitting: boolean;
  serverError?: string | null;
  onSubmit: (reason: string) => void;
  onClose: () => void;
}) {
  const t = useT();
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const trimmed = reason.trim();
  const localError =
    trimmed === "" ? t("action.reasonRequired") : trimmed.length > REASON_MAX ? t("action.reasonTooLong") : null;
  const error = (touched ? localError : null) ?? serverError ?? undefined;
  const submit = () => {
    setTouched(true);
    if (!localError) onSubmit(trimmed);
  };
  return (
    <Modal
      open
      onClose={onClose}
      title={t(`action.${intent}Title`)}
      primaryAction={{
        content: t("action.confirm"),
        destructive: intent === "cancel",
        loading: submitting,
        onAction: submit,
      }}
      secondaryActions={[{ content: t("action.close"), onAction: onClose }]}
    >
      <Modal.Section>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <BlockStack gap="300">
            {description ? <Text as="p">{description}</Text> : null}
            <TextField
              label={t("action.reason")}
              name="reason"
              value={reason}
              onChange={setReason}
              onBlur={() => setTouched(true)}
              autoComplete="off"
              multiline={2}
              maxLength={REASON_MAX}
              showCharacterCount
              helpText={t("action.reasonHelp")}
              error={error}
              requiredIndicator
              autoFocus
            />
          </BlockStack>
        </form>
      </Modal.Section>
    </Modal>
  );
}
