// Types for artemis.mjs.
import type { ServiceInfo } from './index.mjs';
export const USER: string;
export const PASSWORD: string;
export function artemisHome(): string;
export function createInstance(dir: string, port?: number, opts?: { requireLogin?: boolean }): Promise<{ instance: string; port: number }>;
export function runInstance(instance: string, port: number): Promise<{ pid: number; log: string }>;
export function start(dir: string): Promise<ServiceInfo>;
