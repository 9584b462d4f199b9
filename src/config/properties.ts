// TEMPORARY minimal lexer; replaced by the full java.util.Properties lexer (branch lexer).
import type { Diagnostic, PropertyEntry } from './diagnostics.js';

export function parseProperties(text: string, file: string): { entries: PropertyEntry[]; diagnostics: Diagnostic[] } {
  const entries: PropertyEntry[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    const m = /^(\s*)([^#!\s=:][^=:\s]*)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) return;
    const col = m[1]!.length + 1;
    const valueCol = line.length - m[3]!.length + 1;
    entries.push({ key: m[2]!, value: m[3]!, keyAt: { file, line: i + 1, col }, valueAt: { file, line: i + 1, col: valueCol } });
  });
  return { entries, diagnostics: [] };
}

export function lastWins(entries: readonly PropertyEntry[]): Map<string, PropertyEntry> {
  const m = new Map<string, PropertyEntry>();
  for (const e of entries) m.set(e.key, e);
  return m;
}
