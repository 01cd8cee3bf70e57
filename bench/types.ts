/**
 * The contract between `npm run bench` (bench/main.ts) and its scenarios (bench/scenarios/*.ts).
 * Every scenario measures against its own database on the PostgreSQL at DATABASE_URL, and reports
 * figures beside the raw-PostgreSQL baseline measured in the same run, so the ratios hold on any machine.
 */
export type BenchContext = {
  /** Server URL of the PostgreSQL under test (the bench creates and drops its own databases on it). */
  databaseUrl: string;
  /** `npm run bench -- --quick`: small sizes, for a smoke run. */
  quick: boolean;
  /** Progress lines (stderr), not results. */
  log(message: string): void;
};

export type BenchFigure = {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal in words, e.g. "< 30 ms" or ">= 50 % of raw INSERT". */
  goal?: string;
  /** Whether the goal was met (absent when the figure has no goal). */
  pass?: boolean;
  note?: string;
};

export type BenchScenario = {
  name: string;
  run(context: BenchContext): Promise<BenchFigure[]>;
};
