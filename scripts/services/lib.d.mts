export const ROOT: string;
export const HOME: string;
export const HOST: string;
/** --add-opens flags Hadoop-era libraries need on Java 17. */
export const JAVA17_OPENS: string[];
export function freePort(): Promise<number>;
export function freePorts(n: number): Promise<number[]>;
export function portOpen(port: number, host?: string): Promise<boolean>;
export function pidAlive(pid: number): boolean;
export function stopPid(pid: number, graceMs?: number): Promise<void>;
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  opts?: { timeoutMs?: number; intervalMs?: number; alive?: () => boolean; logFile?: string },
): Promise<T>;
export function ensureArtifacts(name: 'kafka' | 'hdfs' | 'es' | 'flume' | 'artemis' | 'hive' | 'orc-tools' | 'hive-exec'): string;
