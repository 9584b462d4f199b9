/**
 * `-Dorg.apache.flume.log.printconfig=true`: the agent's configuration is logged when it is loaded (Flume logs its
 * "Initial configuration" and "Post validation configuration" at DEBUG when this property is true). Unlike Flume,
 * flume-ts masks secrets: any key naming a password, secret, token, keytab, credential, sasl.jaas.config or a
 * private key, and any user-info in a URL value.
 */
import { mergeFiles, type ConfigFile } from '../config/model.js';
import type { Diagnostic } from '../config/diagnostics.js';
import type { Logger } from '../core/logging.js';

const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|keytab|credential|sasl\.jaas\.config|private[-_.]?key/i;

export function maskValue(key: string, value: string): string {
  if (SECRET_KEY.test(key)) return '******';
  return value.replace(/(\w+:\/\/)([^/@\s]+)@/g, '$1******@');
}

/** The agent's `key = value` lines (keys under `<agent>.`), secrets masked, in key order. */
export function configLines(configs: readonly ConfigFile[], agent: string): string[] {
  const diagnostics: Diagnostic[] = [];
  const merged = mergeFiles(configs, {}, diagnostics);
  return [...merged.values()]
    .filter((e) => e.key.startsWith(`${agent}.`))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => `${e.key} = ${maskValue(e.key, e.value)}`);
}

export function printConfig(configs: readonly ConfigFile[], agent: string, logger: Logger): void {
  logger.info(`Initial configuration for agent ${agent} (secrets masked):\n${configLines(configs, agent).join('\n')}`);
}
