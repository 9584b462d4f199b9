// ORC schema types: the Hive column types a streaming table can hold, parsed from the metastore's type strings
// (FieldSchema.type, e.g. "int", "varchar(64)", "decimal(10,2)", "struct<a:int,b:string>").
import { FlumeError } from '../../../../core/errors.js';

/** ORC Type.Kind numbers (specification/ORCv1.md "Type Information"). */
export const KIND = {
  boolean: 0,
  tinyint: 1,
  smallint: 2,
  int: 3,
  bigint: 4,
  float: 5,
  double: 6,
  string: 7,
  binary: 8,
  timestamp: 9,
  struct: 12,
  decimal: 14,
  date: 15,
  varchar: 16,
  char: 17,
} as const;

export type OrcKind = keyof typeof KIND;

export interface OrcType {
  kind: OrcKind;
  /** varchar / char */
  maxLength?: number;
  /** decimal */
  precision?: number;
  scale?: number;
  /** struct */
  fields?: { name: string; type: OrcType }[];
}

export function struct(fields: { name: string; type: OrcType }[]): OrcType {
  return { kind: 'struct', fields };
}

export const prim = (kind: OrcKind): OrcType => ({ kind });

/** Parses a Hive type string. Throws FLUME_HIVE_TYPE for types the writer does not support (array, map, union). */
export function parseHiveType(text: string): OrcType {
  const p = new TypeParser(text);
  const t = p.type();
  p.end();
  return t;
}

class TypeParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(why: string): never {
    throw new FlumeError(
      'FLUME_HIVE_TYPE',
      `Hive column type "${this.s}" ${why} (at offset ${this.i}); the hive sink writes ` +
        'boolean, tinyint, smallint, int, bigint, float, double, decimal, string, varchar, char, binary, date, ' +
        'timestamp and struct columns',
    );
  }
  private skip(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  private word(): string {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) this.fail('is malformed');
    this.i += m[0].length;
    return m[0].toLowerCase();
  }
  private eat(c: string): boolean {
    this.skip();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }
  private num(): number {
    this.skip();
    const m = /^\d+/.exec(this.s.slice(this.i));
    if (!m) this.fail('has a malformed number');
    this.i += m[0].length;
    return Number(m[0]);
  }
  end(): void {
    this.skip();
    if (this.i !== this.s.length) this.fail('has trailing text');
  }
  type(): OrcType {
    const w = this.word();
    switch (w) {
      case 'varchar':
      case 'char': {
        if (!this.eat('(')) this.fail(`needs a length: ${w}(n)`);
        const maxLength = this.num();
        if (!this.eat(')')) this.fail('is malformed');
        return { kind: w, maxLength };
      }
      case 'decimal': {
        let precision = 10;
        let scale = 0;
        if (this.eat('(')) {
          precision = this.num();
          if (this.eat(',')) scale = this.num();
          if (!this.eat(')')) this.fail('is malformed');
        }
        return { kind: 'decimal', precision, scale };
      }
      case 'struct':
        return this.structBody();
      case 'integer':
        return prim('int');
      default:
        if (w in KIND && w !== 'struct') return prim(w as OrcKind);
        return this.fail(`has the unsupported type ${w}`);
    }
  }
  private structBody(): OrcType {
    if (!this.eat('<')) this.fail('is malformed');
    const fields: { name: string; type: OrcType }[] = [];
    do {
      const name = this.word();
      if (!this.eat(':')) this.fail('is malformed');
      fields.push({ name, type: this.type() });
    } while (this.eat(','));
    if (!this.eat('>')) this.fail('is malformed');
    return struct(fields);
  }
}

/** Hive's spelling of a type (for messages and the schema string ORC tools print). */
export function typeString(t: OrcType): string {
  switch (t.kind) {
    case 'varchar':
    case 'char':
      return `${t.kind}(${t.maxLength})`;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'struct':
      return `struct<${(t.fields ?? []).map((f) => `${f.name}:${typeString(f.type)}`).join(',')}>`;
    default:
      return t.kind;
  }
}
