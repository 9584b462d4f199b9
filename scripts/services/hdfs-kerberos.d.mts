// Types for hdfs-kerberos.mjs.
import type { ServiceInfo } from './index.mjs';
export interface KerberizedHdfsOptions {
  kdcDir: string;
  krb5conf: string;
  proxyUsers?: string[];
  tokenRenewIntervalMs?: number;
  tokenMaxLifetimeMs?: number;
}
export function startKerberizedHdfs(dir: string, o: KerberizedHdfsOptions): Promise<ServiceInfo>;
