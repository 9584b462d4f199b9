// Types for hbase-kerberos.mjs.
export interface KerberizedHbaseOptions {
  kdcDir: string;
  krb5conf: string;
  /** hbase.rpc.protection: authentication, integrity, privacy, or a comma-separated list the server accepts */
  protection?: string;
}
export function startKerberizedHbase(
  dir: string,
  o: KerberizedHbaseOptions,
): Promise<{ pid: number; log: string; quorum: string; zkPort: number; serverPrincipal: string }>;
export function toolJvm(krb5conf: string, principal: string, keytab: string, protection?: string): string[];
