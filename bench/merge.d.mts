// Types of bench/merge.mjs for the TypeScript tests (test/bench/merge.test.ts).
export interface RunInfo {
  file?: string;
  started: string;
  ended?: string;
  options: Record<string, unknown>;
}
export interface Replacement {
  key: string;
  old: { startedAt: string; run: number };
  by: { startedAt: string; run: number };
}
export function rowOptions(o: Record<string, unknown>): {
  replicates: unknown;
  seconds: unknown;
  warmup: unknown;
  heap: unknown;
  quick: boolean;
};
export function normalise(json: any, file?: string): { runs: RunInfo[]; results: any[]; scaling: Record<string, any[]> };
export function combine(
  inputs: Array<{ json: any; file?: string }>,
  order: string[],
  dimOrder?: string[],
): { runs: RunInfo[]; results: any[]; scaling: Record<string, any[]>; replaced: Replacement[] };
