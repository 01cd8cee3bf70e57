import { delay, http, HttpResponse } from "msw";
import { describe, expect, test } from "vitest";

import { BUILT_IN_BASE_RATES } from "#app/domain/dunning/base-rates";
import { server } from "#test/mocks/node";

import {
  BUNDESBANK_BASE_RATE_URL,
  BundesbankError,
  fetchBundesbankBaseRates,
  parseBundesbankBaseRates,
  percentToBasisPoints,
  SDMX_GENERIC_DATA,
} from "./client";
import { BASE_RATE_ANSWER, baseRateAnswerWith as answerWith } from "./fixtures";

// msw is started by test/setup/msw.ts before any test file loads (and so before any @shopify import). The answer is
// the fixture fixtures/base-rate.sdmx.xml, built in the format the Bundesbank's SDMX web service returns for
// Accept: application/vnd.sdmx.genericdata+xml;version=2.1; its top says where the format and the values come from.
const xml = (body: string) =>
  new HttpResponse(body, { headers: { "content-type": "application/vnd.sdmx.genericdata+xml; version=2.1" } });

describe("percentToBasisPoints", () => {
  test("exact, without floats; anything finer than a basis point is refused", () => {
    expect(percentToBasisPoints("1.27")).toBe(127);
    expect(percentToBasisPoints("-0.88")).toBe(-88);
    expect(percentToBasisPoints("3.6")).toBe(360);
    expect(percentToBasisPoints("2")).toBe(200);
    expect(percentToBasisPoints("1.2700")).toBe(127);
    expect(percentToBasisPoints("1.275")).toBeNull();
    expect(percentToBasisPoints("NaN")).toBeNull();
    expect(percentToBasisPoints("1,27")).toBeNull();
  });
});

describe("parseBundesbankBaseRates", () => {
  test("the recorded answer gives one entry per half-year, equal to the shipped table since 2020", () => {
    const { entries, rejected } = parseBundesbankBaseRates(BASE_RATE_ANSWER, "BBIN1.M.DE.BBK.BBKBAS2.EUR.ME");
    expect(rejected).toEqual([]);
    // The shipped table keeps -0.88 % as one entry from 2020; the series repeats it every half-year until 2022.
    const shipped = new Map(BUILT_IN_BASE_RATES.map((e) => [e.from, e.rateBp]));
    for (const entry of entries) expect(entry.rateBp).toBe(shipped.get(entry.from) ?? -88);
    expect(entries.at(0)).toEqual({ from: "2020-01-01", rateBp: -88 });
    expect(entries.slice(-5)).toEqual([
      { from: "2024-01-01", rateBp: 362 },
      { from: "2024-07-01", rateBp: 337 },
      { from: "2025-01-01", rateBp: 227 },
      { from: "2025-07-01", rateBp: 127 },
      { from: "2026-01-01", rateBp: 127 },
    ]);
    expect(entries).toHaveLength(13);
  });

  test("a half-year counts from any of its month-ends; months that disagree, or an unusable value, are left out", () => {
    const { entries, rejected } = parseBundesbankBaseRates(
      answerWith([
        ["2026-08", "1.52"],
        ["2026-09", "1.53"],
        ["2027-02", "NaN"],
        ["2027-03", "99.99"],
      ]),
    );
    expect(entries.at(-1)).toEqual({ from: "2026-01-01", rateBp: 127 });
    expect(rejected).toEqual([
      expect.stringMatching(/^2027-02: value must be a rate/),
      "2026-07-01: the months of this half-year show different rates",
      "2027-01-01: must be between -1000 and 1500 basis points",
    ]);
    expect(parseBundesbankBaseRates(answerWith([["2026-09", "1.52"]])).entries.at(-1)).toEqual({
      from: "2026-07-01",
      rateBp: 152,
    });
  });

  test("malformed answers are errors: not SDMX, no series or several, another series, nothing usable", () => {
    expect(() => parseBundesbankBaseRates("<html><body>Wartungsarbeiten</body></html>")).toThrow(
      "not an SDMX-ML 2.1 GenericData message",
    );
    expect(() => parseBundesbankBaseRates('{"data":{"dataSets":[]}}')).toThrow(BundesbankError);
    expect(() =>
      parseBundesbankBaseRates(BASE_RATE_ANSWER.replace(/<generic:Series>[\s\S]*<\/generic:Series>/, "")),
    ).toThrow("holds 0 series");
    const twice = BASE_RATE_ANSWER.replace(/(<generic:Series>[\s\S]*<\/generic:Series>)/, "$1$1");
    expect(() => parseBundesbankBaseRates(twice)).toThrow("holds 2 series");
    expect(() => parseBundesbankBaseRates(BASE_RATE_ANSWER, "BBIN1.M.DE.BBK.BBKBAS1.EUR.ME")).toThrow(
      "is series BBIN1.M.DE.BBK.BBKBAS2.EUR.ME",
    );
    const garbage = BASE_RATE_ANSWER.replace(/<generic:ObsValue value="[^"]*"\/>/g, '<generic:ObsValue value="n/a"/>');
    expect(() => parseBundesbankBaseRates(garbage)).toThrow("holds no usable base rate");
    // Truncated mid-observation: the cut observation is not read, the others are.
    const cut = BASE_RATE_ANSWER.slice(0, BASE_RATE_ANSWER.lastIndexOf("<generic:ObsValue"));
    expect(parseBundesbankBaseRates(cut).entries.at(-1)).toEqual({ from: "2026-01-01", rateBp: 127 });
  });
});

describe("fetchBundesbankBaseRates", () => {
  test("asks the series for SDMX-ML 2.1 generic data from January 2020", async () => {
    let asked: { url: URL; accept: string | null } | undefined;
    server.use(
      http.get(BUNDESBANK_BASE_RATE_URL, ({ request }) => {
        asked = { url: new URL(request.url), accept: request.headers.get("accept") };
        return xml(BASE_RATE_ANSWER);
      }),
    );
    const { entries } = await fetchBundesbankBaseRates();
    expect(asked?.url.origin + asked!.url.pathname).toBe(
      "https://api.statistiken.bundesbank.de/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME",
    );
    expect(asked?.url.searchParams.get("startPeriod")).toBe("2020-01");
    expect(asked?.accept).toBe(SDMX_GENERIC_DATA);
    expect(entries.at(-1)).toEqual({ from: "2026-01-01", rateBp: 127 });
  });

  test("an HTTP error is a BundesbankError", async () => {
    server.use(http.get(BUNDESBANK_BASE_RATE_URL, () => new HttpResponse("Internal Server Error", { status: 500 })));
    await expect(fetchBundesbankBaseRates()).rejects.toThrow(new BundesbankError("the Bundesbank answered HTTP 500"));
  }, 10_000);

  test("no answer within the deadline is a BundesbankError", async () => {
    server.use(
      http.get(BUNDESBANK_BASE_RATE_URL, async () => {
        await delay("infinite");
        return xml(BASE_RATE_ANSWER);
      }),
    );
    await expect(fetchBundesbankBaseRates({ timeoutMs: 50 })).rejects.toThrow(
      new BundesbankError("no answer from the Bundesbank within 0.05 s"),
    );
  }, 10_000);

  test("an oversized, a malformed or no answer is a BundesbankError", async () => {
    server.use(http.get(BUNDESBANK_BASE_RATE_URL, () => xml(BASE_RATE_ANSWER)));
    await expect(fetchBundesbankBaseRates({ maxBytes: 4096 })).rejects.toThrow(/more than 4096 bytes/);

    server.use(http.get(BUNDESBANK_BASE_RATE_URL, () => HttpResponse.json({ data: { dataSets: [] } })));
    await expect(fetchBundesbankBaseRates()).rejects.toThrow("not an SDMX-ML 2.1 GenericData message");

    server.use(http.get(BUNDESBANK_BASE_RATE_URL, () => HttpResponse.error()));
    await expect(fetchBundesbankBaseRates()).rejects.toThrow(/could not be reached/);
  }, 10_000);

  test("a configured URL is used as given, its own startPeriod kept", async () => {
    const url = "https://mirror.example.org/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME?startPeriod=2024-01";
    let asked: string | undefined;
    server.use(
      http.get("https://mirror.example.org/rest/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME", ({ request }) => {
        asked = request.url;
        return xml(BASE_RATE_ANSWER);
      }),
    );
    await fetchBundesbankBaseRates({ url });
    expect(asked).toBe(url);
  });
});
