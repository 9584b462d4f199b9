/**
 * Java regular expressions (java.util.regex.Pattern) translated to JavaScript RegExps, once, at configuration time.
 *
 * Translated: possessive quantifiers (`a*+`) and atomic groups (`(?>x)`), exactly, as `(?=(?<__aN>x))\k<__aN>` (a
 * lookahead never backtracks); `.` without U+0085 as Java; `\Q…\E`; POSIX classes `\p{Alpha}`, `\p{Digit}`, … and
 * `\p{javaLowerCase}`-style names; Unicode categories and scripts `\p{L}`, `\p{IsLatin}`, `\p{InGreek}` (with the `u`
 * flag); `\A`, `\z`, `\Z`, `\h`, `\H`, `\v`, `\V`, `\R`, `\e`, `\a`, octal `\0n`, `\x{h…}`; Java's ASCII-only `\s`;
 * Java's `$` (end of input or before a final line terminator); leading inline flags `(?i)`, `(?s)`, `(?m)`, `(?u)`.
 * Rejected with a clear error: `\G`, `\X`, `\N{…}`, `\b{g}`, class intersection `[a&&[b]]`, nested classes, inline
 * flags anywhere but the very start, `(?x)` comments mode, `(?d)`.
 * Not identical: case-insensitive matching is Unicode-aware only with `(?u)` in Java.
 */

export interface JavaRegex {
  /** The JS source. */
  source: string;
  /** The JS flags (without `g`). */
  flags: string;
  /** Number of capturing groups (Java's groupCount()). */
  groupCount: number;
  /** Named groups → Java group index. */
  names: Map<string, number>;
  /**
   * Java group index → index in the JS match array. They differ when possessive quantifiers or atomic groups were
   * emulated with `(?=(?<__aN>X))\k<__aN>`, which adds capturing groups.
   */
  groupIndex: number[];
  regex: RegExp;
}

export class JavaRegexError extends Error {}

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};
const JAVA_PROPS: Record<string, string> = {
  javaLowerCase: '\\p{Ll}',
  javaUpperCase: '\\p{Lu}',
  javaWhitespace: '\\t\\n\\x0B\\f\\r\\x1C-\\x1F\\p{Zs}\\p{Zl}\\p{Zp}',
  javaMirrored: '\\p{Bidi_M}',
  javaLetter: '\\p{L}',
  javaDigit: '\\p{Nd}',
  javaLetterOrDigit: '\\p{L}\\p{Nd}',
  javaAlphabetic: '\\p{Alphabetic}',
  IsAlphabetic: '\\p{Alphabetic}',
  IsLetter: '\\p{L}',
  IsDigit: '\\p{Nd}',
  IsUppercase: '\\p{Uppercase}',
  IsLowercase: '\\p{Lowercase}',
  IsWhite_Space: '\\p{White_Space}',
  IsWhiteSpace: '\\p{White_Space}',
  IsPunctuation: '\\p{P}',
  IsControl: '\\p{Cc}',
  IsHex_Digit: '\\p{Hex_Digit}',
  IsHexDigit: '\\p{Hex_Digit}',
  IsIdeographic: '\\p{Ideographic}',
  IsAssigned: '\\P{Cn}',
};
const SPACE = ' \\t\\n\\x0B\\f\\r';
const HSPACE = ' \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000';
const VSPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function hex2(n: number): string {
  return n < 0x100
    ? `\\x${n.toString(16).padStart(2, '0')}`
    : n < 0x10000
      ? `\\u${n.toString(16).padStart(4, '0')}`
      : `\\u{${n.toString(16)}}`;
}

function escapeLiteral(ch: string, inClass: boolean): string {
  const cp = ch.codePointAt(0)!;
  if (SYNTAX.has(ch) || (inClass && ch === '-')) return '\\' + ch;
  if (cp < 0x20 || cp === 0x7f) return hex2(cp);
  return ch;
}

/** Translates one Java pattern into a JavaScript RegExp source: one instance per pattern. */
class JavaRegexTranslator {
  flags: string;
  needU = false;
  i = 0;
  out = '';
  inClass = false;
  classDepthStart = -1;
  groupCount = 0;
  readonly names = new Map<string, number>();
  lastWasQuantifier = false;
  /** Where the last complete atom starts in `out` (for possessive wrapping). */
  atomStart = 0;
  quantAtomStart = 0;
  /** Open groups: where they start in `out`, and whether atomic. */
  readonly open: { start: number; atomic: boolean }[] = [];
  emul = 0;
  readonly namedRefs: string[] = [];
  readonly multiline: boolean;

  constructor(
    readonly pattern: string,
    extraFlags: string,
  ) {
    this.flags = extraFlags;
    // Leading inline flags.
    for (;;) {
      const m = /^\(\?([imsud]+)\)/.exec(pattern.slice(this.i));
      if (!m) break;
      for (const f of m[1]!) {
        if (f === 'd') throw new JavaRegexError('inline flag (?d) (UNIX_LINES) is not supported');
        if (f === 'u') continue;
        if (!this.flags.includes(f)) this.flags += f;
      }
      this.i += m[0].length;
    }
    this.multiline = this.flags.includes('m');
  }

  private wrapAtomic(start: number): void {
    const name = `__a${++this.emul}`;
    this.out = `${this.out.slice(0, start)}(?=(?<${name}>${this.out.slice(start)}))\\k<${name}>`;
  }

  private prop(name: string, negated: boolean): string {
    let inner: string | undefined;
    let n = name;
    if (n.startsWith('Is') && POSIX[n.slice(2)] !== undefined) n = n.slice(2);
    if (POSIX[n] !== undefined) inner = POSIX[n];
    else if (JAVA_PROPS[n] !== undefined) {
      inner = JAVA_PROPS[n];
      this.needU = true;
    } else if (/^In[A-Za-z_]+$/.test(n)) {
      throw new JavaRegexError(
        `Unicode block \\p{${name}} is not supported (JavaScript has no blocks); use a script (\\p{Is…}) or a range`,
      );
    } else if (/^Is[A-Za-z_]+$/.test(n)) {
      const s = n.slice(2);
      inner = /^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs|Cn)$/.test(s)
        ? `\\p{${s}}`
        : `\\p{Script=${s}}`;
      this.needU = true;
    } else if (/^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs|Cn)$/.test(n)) {
      inner = `\\p{${n}}`;
      this.needU = true;
    } else if (/^(general_category|gc|script|sc)=\w+$/i.test(n)) {
      const [k, v] = n.split('=');
      inner = `\\p{${/^(gc|general_category)$/i.test(k!) ? 'General_Category' : 'Script'}=${v}}`;
      this.needU = true;
    } else {
      throw new JavaRegexError(`unknown character property \\p{${name}}`);
    }
    if (this.inClass) {
      if (negated) {
        if (/^\\p\{[^}]+\}$/.test(inner)) return '\\P' + inner.slice(2);
        throw new JavaRegexError(`negated property \\P{${name}} inside a character class is not supported`);
      }
      return inner;
    }
    return `[${negated ? '^' : ''}${inner}]`;
  }

  translate(): JavaRegex {
    const pattern = this.pattern;
    while (this.i < pattern.length) {
      const c = pattern[this.i]!;
      const wasQuant = this.lastWasQuantifier;
      this.lastWasQuantifier = false;
      if (!this.inClass && !'*+?{)|'.includes(c)) this.atomStart = this.out.length;
      if (c === '\\') {
        const d = pattern[this.i + 1];
        if (d === undefined) throw new JavaRegexError('unexpected trailing backslash');
        this.i += 2;
        this.escape(d);
      } else if (this.inClass) this.classChar(c);
      else this.plain(c, wasQuant);
    }
    return this.finish();
  }

  /** A backslash escape: `d` is the character after the backslash (already consumed). */
  private escape(d: string): void {
    switch (d) {
      case 'Q': {
        const end = this.pattern.indexOf('\\E', this.i);
        const lit = end < 0 ? this.pattern.slice(this.i) : this.pattern.slice(this.i, end);
        for (const ch of lit) this.out += escapeLiteral(ch, this.inClass);
        this.i = end < 0 ? this.pattern.length : end + 2;
        break;
      }
      case 'E':
        break;
      case 'p':
      case 'P':
        this.out += this.prop(this.propertyName(), d === 'P');
        break;
      case 'A':
        this.out += this.inClass ? 'A' : '(?<![\\s\\S])';
        break;
      case 'z':
        this.out += this.inClass ? 'z' : '(?![\\s\\S])';
        break;
      case 'Z':
        this.out += '(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?(?![\\s\\S]))';
        break;
      case 'G':
        throw new JavaRegexError('\\G (end of the previous match) is not supported');
      case 'X':
        throw new JavaRegexError('\\X (grapheme cluster) is not supported');
      case 'N':
        throw new JavaRegexError('\\N{name} is not supported');
      case 'b':
        if (this.pattern[this.i] === '{') throw new JavaRegexError('\\b{g} is not supported');
        this.out += this.inClass ? '\\x08' : '\\b';
        break;
      case 's':
        this.out += this.inClass ? SPACE : `[${SPACE}]`;
        break;
      case 'S':
        if (this.inClass) throw new JavaRegexError('\\S inside a character class is not supported; use [^…]');
        this.out += `[^${SPACE}]`;
        break;
      case 'h':
        this.out += this.inClass ? HSPACE : `[${HSPACE}]`;
        break;
      case 'H':
        if (this.inClass) throw new JavaRegexError('\\H inside a character class is not supported');
        this.out += `[^${HSPACE}]`;
        break;
      case 'v':
        this.out += this.inClass ? VSPACE : `[${VSPACE}]`;
        break;
      case 'V':
        if (this.inClass) throw new JavaRegexError('\\V inside a character class is not supported');
        this.out += `[^${VSPACE}]`;
        break;
      case 'R':
        this.out += '(?:\\r\\n|[\\n\\x0B\\f\\r\\x85\\u2028\\u2029])';
        break;
      case 'e':
        this.out += '\\x1B';
        break;
      case 'a':
        this.out += '\\x07';
        break;
      case '0':
      case 'x':
      case 'u':
        this.numericEscape(d);
        break;
      case 'k': {
        const m = /^<([A-Za-z][A-Za-z0-9]*)>/.exec(this.pattern.slice(this.i));
        if (!m) throw new JavaRegexError('\\k is not followed by <name>');
        this.namedRefs.push(m[1]!);
        this.out += `\\k<${m[1]}>`;
        this.i += m[0].length;
        break;
      }
      default:
        if (/[1-9]/.test(d)) {
          if (this.inClass) throw new JavaRegexError(`\\${d} inside a character class is not supported`);
          // Java: more digits belong to the reference while they still name an existing group.
          let ref = Number(d);
          while (/[0-9]/.test(this.pattern[this.i] ?? '') && ref * 10 + Number(this.pattern[this.i]) <= this.groupCount) {
            ref = ref * 10 + Number(this.pattern[this.i]);
            this.i++;
          }
          this.out += `\u0000${ref}\u0000`;
        } else if (/[dDwWtnrfcB]/.test(d)) {
          this.out += '\\' + d;
          if (d === 'c') {
            this.out += this.pattern[this.i] ?? '';
            this.i += 1;
          }
        } else if (/[A-Za-z]/.test(d)) {
          throw new JavaRegexError(`illegal/unsupported escape sequence \\${d}`);
        } else {
          this.out += escapeLiteral(d, this.inClass);
        }
    }
  }

  /** The name after \\p or \\P: `{Name}` or one letter. */
  private propertyName(): string {
    const pattern = this.pattern;
    if (pattern[this.i] === '{') {
      const end = pattern.indexOf('}', this.i);
      if (end < 0) throw new JavaRegexError('unclosed \\p{ character property');
      const name = pattern.slice(this.i + 1, end);
      this.i = end + 1;
      return name;
    }
    const name = pattern[this.i] ?? '';
    this.i += 1;
    return name;
  }

  /** \\0ooo, \\xhh, \\x{h…h} and \\uhhhh. */
  private numericEscape(d: string): void {
    switch (d) {
      case '0': {
        const m = /^[0-3]?[0-7]{1,2}/.exec(this.pattern.slice(this.i)) ?? /^[0-7]{1,2}/.exec(this.pattern.slice(this.i));
        if (!m) throw new JavaRegexError('illegal octal escape \\0');
        this.out += hex2(parseInt(m[0], 8));
        this.i += m[0].length;
        break;
      }
      case 'x': {
        if (this.pattern[this.i] === '{') {
          const end = this.pattern.indexOf('}', this.i);
          const cp = parseInt(this.pattern.slice(this.i + 1, end), 16);
          if (end < 0 || !Number.isFinite(cp) || cp > 0x10ffff) throw new JavaRegexError('illegal \\x{…} escape');
          if (cp > 0xffff) this.needU = true;
          this.out += hex2(cp);
          this.i = end + 1;
        } else {
          this.out += '\\x' + this.pattern.slice(this.i, this.i + 2);
          this.i += 2;
        }
        break;
      }
      case 'u':
        this.out += '\\u' + this.pattern.slice(this.i, this.i + 4);
        this.i += 4;
        break;
    }
  }

  /** One character inside [...]. */
  private classChar(c: string): void {
    if (c === '[') throw new JavaRegexError('nested character classes ([a[b]]) are not supported');
    if (c === '&' && this.pattern[this.i + 1] === '&') throw new JavaRegexError('character class intersection (&&) is not supported');
    if (c === ']' && this.i > this.classDepthStart) {
      this.inClass = false;
      this.out += ']';
      this.i++;
      return;
    }
    this.out += c === '/' ? '\\/' : c;
    this.i++;
  }

  /** One character outside a class (c is pattern[i]; wasQuant: the previous token was a quantifier). */
  private plain(c: string, wasQuant: boolean): void {
    switch (c) {
      case '[': {
        this.inClass = true;
        this.out += '[';
        this.i++;
        if (this.pattern[this.i] === '^') {
          this.out += '^';
          this.i++;
        }
        // A ']' right after '[' or '[^' is a literal in Java.
        if (this.pattern[this.i] === ']') {
          this.out += '\\]';
          this.i++;
        }
        this.classDepthStart = this.i;
        break;
      }
      case '(':
        this.openGroup();
        break;
      case ')': {
        const g = this.open.pop();
        if (!g) throw new JavaRegexError('unmatched closing ")"');
        this.out += ')';
        this.i++;
        this.atomStart = g.start;
        if (g.atomic) this.wrapAtomic(g.start);
        break;
      }
      case '$':
        this.out += this.multiline ? '$' : '(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?(?![\\s\\S]))';
        this.i++;
        break;
      case '*':
      case '?':
      case '+': {
        if (wasQuant && c === '+') {
          this.wrapAtomic(this.quantAtomStart);
          this.i++;
          break;
        } // possessive
        if (wasQuant && c === '?') {
          this.out += '?';
          this.i++;
          break;
        } // lazy
        if (this.out.length === this.atomStart && !wasQuant) throw new JavaRegexError(`dangling meta character '${c}'`);
        this.out += c;
        this.i++;
        this.lastWasQuantifier = true;
        this.quantAtomStart = this.atomStart;
        break;
      }
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.pattern.slice(this.i));
        if (!m) throw new JavaRegexError('illegal repetition: a literal { must be escaped as \\{');
        if (m[3] && Number(m[3]) < Number(m[1])) throw new JavaRegexError(`illegal repetition range ${m[0]}`);
        this.out += m[0];
        this.i += m[0].length;
        this.lastWasQuantifier = true;
        this.quantAtomStart = this.atomStart;
        break;
      }
      case '.':
        this.out += this.flags.includes('s') ? '.' : '[^\\n\\r\\x85\\u2028\\u2029]';
        this.i++;
        break;
      case '}':
        this.out += '\\}';
        this.i++;
        break;
      case ']':
        this.out += '\\]';
        this.i++;
        break;
      case '/':
        this.out += '\\/';
        this.i++;
        break;
      default:
        this.out += c;
        this.i++;
    }
  }

  /** `(`: a group, a non-capturing or look-around group, a named group or an atomic group. */
  private openGroup(): void {
    if (this.pattern[this.i + 1] === '?') {
      const rest = this.pattern.slice(this.i + 2);
      if (rest.startsWith('>')) {
        this.open.push({ start: this.out.length, atomic: true });
        this.out += '(?:';
        this.i += 3;
        return;
      }
      this.open.push({ start: this.out.length, atomic: false });
      if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
        this.out += '(?';
        this.i += 2;
      } else if (rest.startsWith('<')) {
        const m = /^<([A-Za-z][A-Za-z0-9]*)>/.exec(rest);
        if (!m) throw new JavaRegexError('bad named group');
        this.groupCount++;
        this.names.set(m[1]!, this.groupCount);
        this.out += `(?<${m[1]}>`;
        this.i += 2 + m[0].length;
      } else {
        throw new JavaRegexError(`inline flags (${'(?' + rest.slice(0, 8)}…) are only supported at the start of the pattern`);
      }
    } else {
      this.open.push({ start: this.out.length, atomic: false });
      this.groupCount++;
      this.out += '(';
      this.i++;
    }
  }

  /** JS group numbers: Java's groups and the emulation groups, in order of their "(" in the output. */
  private groupIndexes(): number[] {
    const out = this.out;
    const groupIndex = [0];
    let js = 0;
    let cls = false;
    for (let k = 0; k < out.length; k++) {
      const ch = out[k];
      if (ch === '\\') {
        k++;
        continue;
      }
      if (cls) {
        if (ch === ']') cls = false;
        continue;
      }
      if (ch === '[') {
        cls = true;
        continue;
      }
      if (ch !== '(') continue;
      if (out[k + 1] !== '?') {
        js++;
        groupIndex.push(js);
        continue;
      }
      const named = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(out.slice(k));
      if (named) {
        js++;
        if (!named[1]!.startsWith('__a')) groupIndex.push(js);
      }
    }
    return groupIndex;
  }

  private finish(): JavaRegex {
    if (this.inClass) throw new JavaRegexError('unclosed character class');
    if (this.open.length > 0) throw new JavaRegexError('unclosed group');
    for (const n of this.namedRefs) if (!this.names.has(n)) throw new JavaRegexError(`named capturing group <${n}> does not exist`);
    const groupIndex = this.groupIndexes();
    let badRef: number | undefined;
    this.out = this.out.replace(/\u0000(\d+)\u0000/g, (_, n: string) => {
      const ref = Number(n);
      if (ref > this.groupCount) {
        badRef = ref;
        return '';
      }
      return `(?:\\${groupIndex[ref]})`;
    });
    if (badRef !== undefined) throw new JavaRegexError(`back reference \\${badRef} to a group that does not exist`);
    if (this.needU) this.flags += 'u';
    let regex: RegExp;
    try {
      regex = new RegExp(this.out, this.flags);
    } catch (err) {
      throw new JavaRegexError((err as Error).message.replace(/^Invalid regular expression: /, ''));
    }
    return { source: this.out, flags: this.flags, groupCount: this.groupCount, names: this.names, groupIndex, regex };
  }
}

/**
 * Translates a Java pattern; throws JavaRegexError with a message naming the construct when it cannot.
 */
export function compileJavaRegex(pattern: string, extraFlags = ''): JavaRegex {
  return new JavaRegexTranslator(pattern, extraFlags).translate();
}

/** Compiles and returns a message instead of throwing (for spec checks). */
export function javaRegexProblem(pattern: string): string | undefined {
  try {
    compileJavaRegex(pattern);
    return undefined;
  } catch (err) {
    return `invalid or unsupported Java regex ${JSON.stringify(pattern)}: ${(err as Error).message}`;
  }
}

/** A precompiled Java replacement string (Matcher.replaceAll): literal text and JS match-array indices. */
export type Replacement = (string | number)[];

export function compileJavaReplacement(rep: string, rx: JavaRegex): Replacement {
  const parts: Replacement = [];
  let lit = '';
  let i = 0;
  while (i < rep.length) {
    const c = rep[i]!;
    if (c === '\\') {
      if (i + 1 >= rep.length) throw new JavaRegexError('character to be escaped is missing (trailing \\ in the replacement)');
      lit += rep[i + 1];
      i += 2;
    } else if (c === '$') {
      i++;
      if (i >= rep.length) throw new JavaRegexError('illegal group reference: group index is missing ($ at the end of the replacement)');
      if (rep[i] === '{') {
        const end = rep.indexOf('}', i);
        const name = end < 0 ? '' : rep.slice(i + 1, end);
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new JavaRegexError('named capturing group is missing trailing } or has a bad name');
        const idx = rx.names.get(name);
        if (idx === undefined) throw new JavaRegexError(`no group with name {${name}}`);
        if (lit) parts.push(lit);
        lit = '';
        parts.push(rx.groupIndex[idx]!);
        i = end + 1;
      } else {
        let ref = rep.charCodeAt(i) - 48;
        if (ref < 0 || ref > 9) throw new JavaRegexError(`illegal group reference "$${rep[i]}" (write \\$ for a literal $)`);
        i++;
        // Java: take more digits while the number stays a valid group.
        while (i < rep.length) {
          const next = rep.charCodeAt(i) - 48;
          if (next < 0 || next > 9) break;
          const n = ref * 10 + next;
          if (n > rx.groupCount) break;
          ref = n;
          i++;
        }
        if (ref > rx.groupCount) throw new JavaRegexError(`no group ${ref} (the pattern has ${rx.groupCount})`);
        if (lit) parts.push(lit);
        lit = '';
        parts.push(rx.groupIndex[ref]!);
      }
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) parts.push(lit);
  return parts;
}
