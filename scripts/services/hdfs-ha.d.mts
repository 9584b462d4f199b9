export interface HaCluster {
  nameservice: string;
  namenodes: Array<{ id: string; http: string; rpc: string }>;
  logFile: string;
  failover(from: number, to: number): Promise<string>;
  state(): Promise<string>;
  stop(): Promise<void>;
}
export function startHaCluster(dir: string, o?: { heap?: string; timeoutMs?: number }): Promise<HaCluster>;
