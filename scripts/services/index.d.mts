// Types for index.mjs (the harness is plain JS so that `node` runs it without a build).
export type ServiceName = 'kafka' | 'hdfs' | 'es' | 'artemis' | 'hbase' | 'kdc' | 'hive';

export interface ServiceInfo {
  /** kafka | hdfs | es */
  name: string;
  /** always 127.0.0.1 */
  host: string;
  /** kafka: broker, controller. hdfs: rpc, http (NameNode WebHDFS), dnData, dnHttp, dnIpc. es: http, transport */
  ports: Record<string, number>;
  /** JVM pids (hdfs: NameNode, DataNode) */
  pids: number[];
  /** named log files */
  logs: Record<string, string>;
  /** run directory: config, data and logs (kept after stop) */
  dir: string;
  /** kafka: bootstrap. hdfs: fs (hdfs://…), webhdfs (http://…/webhdfs/v1). es: node (http://…) */
  urls?: Record<string, string>;
  startedAt: string;
  /** wall time from spawn to ready, ms */
  startMs: number;
  /** pid whose exit stops this service (absent when started by the CLI) */
  owner?: number;
}

export const SERVICE_NAMES: readonly ServiceName[];
export const MAVEN_SERVICES: readonly ServiceName[];
export const STATE_FILE: string;
export function readState(): { services: Record<string, ServiceInfo> };
export function liveService(name: string): ServiceInfo | undefined;
export function startServices(
  names: readonly string[],
  opts?: { owner?: number },
): Promise<{ services: Record<string, ServiceInfo>; started: string[] }>;
export function stopServices(names?: readonly string[]): Promise<void>;
export function status(): Array<ServiceInfo & { alive: boolean }>;
export function describe(info: ServiceInfo): string;
