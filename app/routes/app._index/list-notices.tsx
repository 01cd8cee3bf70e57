import { Banner } from "@shopify/polaris";

import { useT } from "#app/i18n/react";

import type { CasesIndexData } from "./types";

/** Why the list may not be what was asked for: an unreadable filter link, or the shop's import still running. */
export function ListNotices({ invalidFilter, importRun }: Pick<CasesIndexData, "invalidFilter" | "importRun">) {
  const t = useT();
  return (
    <>
      {invalidFilter ? <Banner tone="warning">{t("cases.invalidFilter")}</Banner> : null}
      {importRun ? (
        <Banner tone={importRun.status === "failed" ? "critical" : "info"}>
          {t(importRun.status === "failed" ? "import.failed" : "import.running", {
            processed: importRun.processed,
            total: importRun.total ?? "?",
            error: importRun.error,
          })}
        </Banner>
      ) : null}
    </>
  );
}
