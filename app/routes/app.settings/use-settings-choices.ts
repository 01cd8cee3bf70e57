import { useState } from "react";

import { AUTO_HANDOVER_PRESETS, type Settings } from "#app/domain/settings";

/** The auto-handover select's value: "off", "all", a preset amount, or "custom" for any other threshold. */
export function autoHandoverChoice(autoHandover: Settings["autoHandover"]): string {
  if (autoHandover.mode !== "threshold") return autoHandover.mode;
  return (AUTO_HANDOVER_PRESETS as readonly number[]).includes(autoHandover.minimumMajor)
    ? String(autoHandover.minimumMajor)
    : "custom";
}

/**
 * The page's selects and choices. They are held by the page, outside the settings form that remounts with each saved
 * version, so what was chosen stays chosen across a save.
 */
export function useSettingsChoices(settings: Pick<Settings, "autoHandover" | "dunningOption" | "caseRetentionYears">) {
  const [auto, setAuto] = useState(() => autoHandoverChoice(settings.autoHandover));
  const [option, setOption] = useState(settings.dunningOption);
  const [caseYears, setCaseYears] = useState(String(settings.caseRetentionYears));
  return { auto, setAuto, option, setOption, caseYears, setCaseYears };
}
