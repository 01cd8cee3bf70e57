import { useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";

import { useFailureText } from "#app/components/action-result-banner";
import type { CaseIntent } from "#app/components/reason-modal";

import type { action } from "./route";

/** The action staff chose on the case page (its reason modal is open while one is chosen) and the server's answer. */
export function useCaseAction() {
  const fetcher = useFetcher<typeof action>();
  const why = useFailureText();
  const [intent, setIntent] = useState<CaseIntent | null>(null);
  // Posted along with the reason, e.g. the claim number a handover is resolved with.
  const [fields, setFields] = useState<Record<string, string>>({});
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  // Done: the modal closes. A refusal keeps it open with the server's reason in it.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setIntent(null);
  }, [fetcher.state, fetcher.data]);

  return {
    intent,
    choose: (chosen: CaseIntent, extra: Record<string, string> = {}) => {
      setFields(extra);
      setIntent(chosen);
    },
    close: () => setIntent(null),
    submit: (chosen: CaseIntent, reason: string) =>
      fetcher.submit({ ...fields, intent: chosen, reason }, { method: "post" }),
    submitting: fetcher.state !== "idle",
    result,
    failure: result && !result.ok ? why({ code: result.code, message: result.message }) : null,
  };
}

export type CaseAction = ReturnType<typeof useCaseAction>;
