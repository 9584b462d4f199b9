// Types for hbase.mjs.
import type { ServiceInfo } from './index.mjs';
export function configure(
  dir: string,
  zkPort: number,
  ports: { master: number; regionserver: number },
  extra?: Record<string, string | number | boolean>,
): { conf: string; log: string };
export function runInstance(
  dir: string,
  zkPort: number,
  opts?: { site?: Record<string, string | number | boolean>; jvm?: string[] },
): Promise<{ pid: number; log: string }>;
export function start(dir: string): Promise<ServiceInfo>;
/** Runs HBaseTool (HBase's own Java client): create | scan | split | regions | disable | enable | drop. */
export function hbaseTool(quorum: string, args: string[], jvm?: string[]): Promise<string>;
export function hbaseToolSync(quorum: string, args: string[]): string;
