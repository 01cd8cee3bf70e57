import { useNavigate, useSearchParams } from "@remix-run/react";

/** The list's state lives in the URL (status, search, filters, sort, page), so a view can be linked and reloaded. */
export type ListUrl = {
  params: URLSearchParams;
  /** Sets (or with null/"" removes) parameters; any change but paging goes back to the first page. */
  goTo: (changes: Record<string, string | null>, replace?: boolean) => void;
  /** The view without its page cursor: what a download or "all matching" acts on. */
  listSearch: string;
};

export function useListUrl(): ListUrl {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const goTo: ListUrl["goTo"] = (changes, replace = false) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    if (!("cursor" in changes)) next.delete("cursor");
    navigate(`?${next.toString()}`, { replace, preventScrollReset: true });
  };
  const withoutCursor = new URLSearchParams(params);
  withoutCursor.delete("cursor");
  return { params, goTo, listSearch: withoutCursor.toString() };
}
