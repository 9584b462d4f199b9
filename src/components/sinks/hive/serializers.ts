// Flume's HiveDelimitedTextSerializer (hcatalog streaming's DelimitedInputWriter + LazySimpleSerDe) and
// HiveJsonSerializer (StrictJsonWriter + the JSON serde): an event body → the table's row values.
import { FlumeError } from '../../../core/errors.js';
import { javaSplit } from '../../shared/java-split.js';
import type { Column } from './metastore/client.js';
import type { OrcValue } from './orc/columns.js';
import type { OrcType } from './orc/types.js';
import { fromJson, fromText } from './values.js';

/** A body the serde cannot read (Hive streaming's SerializationError): Flume logs "Parse failed" and skips the event. */
export class HiveSerializationError extends FlumeError {
  constructor(message: string) {
    super('FLUME_HIVE_SERIALIZATION', message);
  }
}

export interface RowField {
  name: string;
  type: OrcType;
}

/** Turns bodies into rows of one table (created per table, as Flume creates a RecordWriter per end point). */
export type RowReader = (body: Buffer) => OrcValue[];

export interface HiveSerializer {
  readonly kind: 'DELIMITED' | 'JSON';
  /** Binds to a table's columns; throws (a connect failure in Flume) when the configuration does not fit the table. */
  reader(cols: Column[], fields: RowField[]): RowReader;
}

/** Flume's parseDelimiterSpec: a value in double quotes ("\t" after the properties file's own unescaping) loses them. */
export function parseDelimiterSpec(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** Flume's parseSerdeSeparatorSpec: one character, or three whose last is a quote ('x'); anything else is refused. */
export function parseSerdeSeparatorSpec(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.length === 1) return v;
  if (v.length === 3 && v[2] === "'") return v[1];
  return undefined;
}

const REGEX_META = '.$|()[{^?*+\\';

/** How Java's String.split(regex) splits: a literal for one plain character (or a backslash + non-alphanumeric), else a regex. */
export function compileJavaSplit(delimiter: string): (s: string) => string[] {
  const literal =
    (delimiter.length === 1 && !REGEX_META.includes(delimiter)) ||
    (delimiter.length === 2 && delimiter[0] === '\\' && !/[0-9A-Za-z]/.test(delimiter[1]!))
      ? delimiter.slice(-1)
      : undefined;
  const sep = literal ?? new RegExp(delimiter, 'g');
  return (s) => javaSplit(s, sep);
}

export interface DelimitedOptions {
  delimiter: string;
  fieldnames: string;
  /** undefined = LazySimpleSerDe's default separator, Ctrl-A */
  serdeSeparator?: string;
}

/** DelimitedInputWriter.getFieldReordering: the table column of each input field (-1 = skipped). */
export function fieldReordering(names: string[], tableCols: string[]): number[] {
  let labelled = 0;
  const out = names.map((col, i) => {
    if (col.trim() === '') return -1;
    labelled++;
    const loc = tableCols.indexOf(col);
    // Hive's message, including its "i+1" string concatenation
    if (loc < 0) throw new FlumeError('FLUME_HIVE_SERIALIZER', `Column '${col}' not found in table for input field ${i}1`);
    return loc;
  });
  if (labelled > tableCols.length)
    throw new FlumeError('FLUME_HIVE_SERIALIZER', 'Number of field names exceeds the number of columns in table');
  return out;
}

export class DelimitedSerializer implements HiveSerializer {
  readonly kind = 'DELIMITED';
  private readonly names: string[];
  private readonly sep: string;
  private readonly split: (s: string) => string[];

  constructor(readonly o: DelimitedOptions) {
    this.names = o.fieldnames.trim().split(',');
    this.sep = o.serdeSeparator ?? '\u0001';
    this.split = compileJavaSplit(o.delimiter);
  }

  reader(cols: Column[], fields: RowField[]): RowReader {
    const tableCols = cols.map((c) => c.name.toLowerCase());
    const mapping = fieldReordering(this.names, tableCols);
    const inOrder = mapping.every((m, i) => m === i);
    const reorder = !(this.o.delimiter === this.sep && inOrder && tableCols.length >= mapping.length);
    const sep = this.sep;
    return (body) => {
      let record = body.toString('utf8');
      if (reorder) {
        const input = this.split(record);
        const out = new Array<string>(tableCols.length).fill('');
        // an input with fewer fields than serializer.fieldnames: the missing ones are empty (Flume fails, see docs)
        mapping.forEach((col, i) => {
          if (col !== -1) out[col] = input[i] ?? '';
        });
        record = out.join(sep);
      }
      // LazySimpleSerDe: split on the separator; missing trailing columns are NULL, extra fields are ignored
      const parts = record.split(sep);
      return fields.map((f, i) => (parts[i] === undefined ? null : fromText(parts[i]!, f.type)));
    };
  }
}

export class JsonSerializer implements HiveSerializer {
  readonly kind = 'JSON';
  reader(_cols: Column[], fields: RowField[]): RowReader {
    return (body) => {
      let v: unknown;
      try {
        v = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new HiveSerializationError(`Unable to convert byte[] record into Object: ${(err as Error).message}`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        throw new HiveSerializationError('Unable to convert byte[] record into Object: the JSON text is not an object');
      }
      const byName = new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.toLowerCase(), x]));
      return fields.map((f) => fromJson(byName.get(f.name.toLowerCase()), f.type));
    };
  }
}
