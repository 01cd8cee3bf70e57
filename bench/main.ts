/**
 * `npm run bench [-- --quick] [-- --only <name>[,<name>…]] [-- --results <file>]`: runs every scenario in
 * bench/scenarios/ one after another against its own databases on the PostgreSQL at DATABASE_URL, prints a table of
 * figures (and a markdown table for the README), and writes bench/results.json (or the --results file) with the
 * machine it was measured on.
 *
 * A missed goal is printed, not fatal: the exit code is non-zero only when the bench itself crashed or a scenario
 * threw (which is reported as a failed figure, after the other scenarios have still run).
 */
import { readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import postgres from "postgres";
import { z } from "zod";

import type { BenchContext, BenchFigure, BenchScenario } from "./types";

const BENCH_DIR = path.resolve(process.cwd(), "bench");
const SCENARIO_DIR = path.join(BENCH_DIR, "scenarios");
const RESULTS_FILE = path.join(BENCH_DIR, "results.json");

const scenarioShape = z.object({
  name: z.string().min(1),
  run: z.custom<BenchScenario["run"]>((value) => typeof value === "function"),
});

function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      results: { type: "string" },
      only: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    out("usage: npm run bench [-- --quick] [-- --only <scenario>[,<scenario>…]] [-- --results <file>]");
    return 0;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    console.error("npm run bench needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test");
    return 2;
  }
  const quick = values.quick ?? false;
  const only = new Set(
    (values.only ?? [])
      .flatMap((value) => value.split(","))
      .map((value) => value.trim())
      .filter(Boolean),
  );

  const postgresVersion = await serverVersion(databaseUrl);
  const { scenarios, broken } = await loadScenarios();
  const unknown = [...only].filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
    return 2;
  }
  const selected = only.size > 0 ? scenarios.filter((scenario) => only.has(scenario.name)) : scenarios;

  const figures: BenchFigure[] = [];
  let failed = 0;
  // A scenario file that does not even load (another scenario's work in progress) fails alone.
  for (const { file, message } of only.size > 0 ? [] : broken) {
    failed += 1;
    console.error(`[${file}] FAILED to load: ${message}`);
    figures.push({
      scenario: file,
      metric: "load",
      value: Number.NaN,
      unit: "",
      pass: false,
      note: `failed: ${firstLine(message)}`,
    });
  }
  for (const scenario of selected) {
    const context: BenchContext = {
      databaseUrl,
      quick,
      log: (message) => process.stderr.write(`[${scenario.name}] ${message}\n`),
    };
    // The load average beside each scenario's figures: a figure from a busy machine reads worse than it is.
    context.log(`start${quick ? " (quick)" : ""}, load average ${loadAverages()}`);
    const started = Date.now();
    try {
      const result = await scenario.run(context);
      figures.push(...result);
      context.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s, load average ${loadAverages()}`);
    } catch (error) {
      failed += 1;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`[${scenario.name}] FAILED: ${message}`);
      figures.push({
        scenario: scenario.name,
        metric: "run",
        value: Number.NaN,
        unit: "",
        pass: false,
        note: `failed: ${firstLine(message)}`,
      });
    }
  }

  const machine = {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: postgresVersion,
    /** 1-minute load average at the end: figures from a busy machine are lower than from a quiet one. */
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    date: new Date().toISOString(),
    quick,
  };
  const resultsFile = values.results ?? RESULTS_FILE;
  writeFileSync(resultsFile, `${JSON.stringify({ machine, figures }, null, 2)}\n`);

  out();
  out(plainTable(figures));
  const misses = figures.filter((figure) => figure.pass === false);
  out();
  if (misses.length > 0) {
    out(`MISSED ${misses.length} goal(s):`);
    for (const miss of misses)
      out(
        `  - ${miss.scenario} / ${miss.metric}: ${formatValue(miss)} (goal ${miss.goal ?? "run without error"})${miss.note ? ` — ${miss.note}` : ""}`,
      );
  } else {
    out("All goals met.");
  }
  out();
  out("Markdown (for the README):");
  out();
  out(markdownTable(figures, machine));
  out();
  out(`wrote ${path.relative(process.cwd(), resultsFile)}`);
  return failed > 0 ? 1 : 0;
}

/** The 1-, 5- and 15-minute load averages, as uptime prints them. */
function loadAverages(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(", ");
}

async function serverVersion(databaseUrl: string): Promise<string> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    const [row] = await client<{ version: string }[]>`select current_setting('server_version') as version`;
    return row?.version ?? "unknown";
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Every bench/scenarios/*.ts with a default export or an export named `scenario` that is a BenchScenario. */
async function loadScenarios(): Promise<{ scenarios: BenchScenario[]; broken: { file: string; message: string }[] }> {
  const files = readdirSync(SCENARIO_DIR)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .sort();
  const scenarios: BenchScenario[] = [];
  const broken: { file: string; message: string }[] = [];
  for (const file of files) {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path.join(SCENARIO_DIR, file)).href)) as Record<string, unknown>;
    } catch (error) {
      broken.push({ file, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      continue;
    }
    const candidate = module.default ?? module.scenario;
    if (!scenarioShape.safeParse(candidate).success) {
      console.warn(`bench/scenarios/${file} exports no BenchScenario (default or \`scenario\`); skipped`);
      continue;
    }
    scenarios.push(candidate as BenchScenario);
  }
  const names = scenarios.map((scenario) => scenario.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`two scenarios are named ${duplicate}`);
  return { scenarios, broken };
}

function formatValue(figure: BenchFigure): string {
  if (!Number.isFinite(figure.value)) return "—";
  const abs = Math.abs(figure.value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  const number = figure.value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return figure.unit ? `${number} ${figure.unit}` : number;
}

function verdict(figure: BenchFigure): string {
  if (figure.pass === undefined) return "";
  return figure.pass ? "pass" : "MISS";
}

function rows(figures: BenchFigure[]): string[][] {
  return figures.map((figure) => [
    figure.scenario,
    figure.metric,
    formatValue(figure),
    figure.goal ?? "",
    verdict(figure),
    figure.note ?? "",
  ]);
}

const HEADER = ["scenario", "metric", "value", "goal", "result", "note"];

function plainTable(figures: BenchFigure[]): string {
  const body = rows(figures);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(HEADER), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

function markdownTable(
  figures: BenchFigure[],
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    postgres: string;
    loadAverage: number;
    date: string;
    quick: boolean;
  },
): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const lines = [
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map((_, column) => (column === 2 ? "---:" : "---")).join(" | ")} |`,
    ...rows(figures).map((row) => `| ${row.map(escape).join(" | ")} |`),
  ];
  const size = machine.quick ? ", quick sizes" : "";
  lines.push(
    "",
    `Measured ${machine.date.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, Node ${machine.node}, PostgreSQL ${machine.postgres}, load average ${machine.loadAverage}${size}.`,
  );
  return lines.join("\n");
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.slice(0, 200);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
