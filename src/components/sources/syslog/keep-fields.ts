/** Flume's keepFields (SyslogUtils.chooseFieldsToKeep / addFieldsToBody), shared by the three syslog sources. */

export interface KeepFields {
  all: boolean;
  priority: boolean;
  version: boolean;
  timestamp: boolean;
  hostname: boolean;
}

/** undefined = keep nothing (`none`/`false`); `all`/`true` = the raw line is the body; otherwise the fields named. */
export function chooseFieldsToKeep(value: string | undefined): KeepFields | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === 'none') return undefined;
  if (v === 'true' || v === 'all') return { all: true, priority: false, version: false, timestamp: false, hostname: false };
  // Flume looks for each name as a substring of the value ("priority,hostname", "priority hostname", …)
  return {
    all: false,
    priority: v.includes('priority'),
    version: v.includes('version'),
    timestamp: v.includes('timestamp'),
    hostname: v.includes('hostname'),
  };
}

/** The prefix Flume puts before the body for the kept fields; Java's string concatenation prints null as "null". */
export function keptFieldsPrefix(
  keep: KeepFields | undefined,
  priority: string | null | undefined,
  version: string | null | undefined,
  timestamp: string | null | undefined,
  hostname: string | null | undefined,
): string {
  if (!keep) return '';
  let p = '';
  if (keep.priority) p += `<${priority ?? 'null'}>`;
  if (keep.version && version) p += `${version} `;
  if (keep.timestamp) p += `${timestamp ?? 'null'} `;
  if (keep.hostname) p += `${hostname ?? 'null'} `;
  return p;
}
