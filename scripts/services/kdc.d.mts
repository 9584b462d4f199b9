// Types for kdc.mjs.
import type { ServiceInfo } from './index.mjs';
export const REALM: string;
export interface PrincipalOptions {
  /** ticket lifetime cap of this principal, kadmin syntax ("30 seconds", "2 minutes") */
  maxLife?: string;
  /** renewable lifetime cap ("0": not renewable) */
  maxRenewLife?: string;
  /** keytab file to write (default: <run dir>/keytabs/<principal>.keytab) */
  keytab?: string;
}
export function kdcEnv(dir: string): NodeJS.ProcessEnv;
export function start(dir: string): Promise<ServiceInfo>;
export function addPrincipal(dir: string, name: string, opts?: PrincipalOptions): { principal: string; keytab: string };
export function modifyPrincipal(dir: string, name: string, opts: PrincipalOptions): void;
