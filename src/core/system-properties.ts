/**
 * The process-wide system properties, as Java's System properties in a Flume JVM: the `-Dkey=value` options of the
 * command line (and of JAVA_OPTS in flume-env.sh). Components read the few that Flume's components read globally:
 * the `javax.net.ssl.*` defaults (SSLUtil), `flume.ssl.*` lists, and the log-privacy switches (LogPrivacyUtil).
 */
let props: Readonly<Record<string, string>> = {};

export function setSystemProperties(p: Readonly<Record<string, string>>): void {
  props = { ...p };
}

export function systemProperty(key: string): string | undefined {
  return props[key];
}

/** Java's Boolean.getBoolean: true only for the value "true", ignoring case. */
const javaBoolean = (key: string) => (props[key] ?? '').toLowerCase() === 'true';

/** -Dorg.apache.flume.log.rawdata=true: components may log event bodies and headers (LogPrivacyUtil.allowLogRawData). */
export const allowLogRawData = (): boolean => javaBoolean('org.apache.flume.log.rawdata');

/** -Dorg.apache.flume.log.printconfig=true: the configuration is logged at start (LogPrivacyUtil.allowLogPrintConfig). */
export const allowLogPrintConfig = (): boolean => javaBoolean('org.apache.flume.log.printconfig');
