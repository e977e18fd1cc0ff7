// YAML input files (platforms, profiles) checked against a zod schema, with errors a person can
// act on: `FILE:LINE: field.path: what is wrong (got VALUE)`. The line comes from the yaml
// library's LineCounter: the line of the offending value, or of the unknown key itself.

import { Document, isMap, isNode, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export interface YamlSource {
  doc: Document;
  lc: LineCounter;
  /** The file as messages name it (a path or a preset's relative path). */
  source: string;
  /** Line numbers refer to the file the user wrote (false for documents a program generated). */
  lines: boolean;
}

/** Parse YAML text; a syntax error is returned as one `FILE:LINE: YAML syntax error: ...` line. */
export function parseYaml(text: string, source: string, lines = true): { yaml: YamlSource } | { error: string } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = lines && e.pos ? `:${lc.linePos(e.pos[0]).line}` : '';
    return { error: `${source}${at}: YAML syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
  }
  return { yaml: { doc, lc, source, lines } };
}

type Path = ReadonlyArray<PropertyKey>;

function nodeAt(y: YamlSource, p: Path): unknown {
  return y.doc.getIn(p as (string | number)[], true);
}

/** `FILE:LINE` of the deepest node along the path that exists (the file alone without lines). */
export function locate(y: YamlSource, p: Path): string {
  if (!y.lines) return y.source;
  for (let n = p.length; n >= 0; n--) {
    const node = nodeAt(y, p.slice(0, n));
    if (isNode(node) && node.range) return `${y.source}:${y.lc.linePos(node.range[0]).line}`;
  }
  return y.source;
}

/** `FILE:LINE` of a key inside the mapping at `p` (where an unknown key was written). */
export function locateKey(y: YamlSource, p: Path, key: string): string {
  const map = nodeAt(y, p);
  if (y.lines && isMap(map)) {
    for (const item of map.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
        return `${y.source}:${y.lc.linePos(item.key.range[0]).line}`;
      }
    }
  }
  return locate(y, p);
}

/** The value at `p` as the user wrote it, for "(got ...)". */
function written(y: YamlSource, p: Path): string | undefined {
  const node = nodeAt(y, p);
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    const src = node.source;
    return typeof node.value === 'string' ? JSON.stringify(node.value) : src !== undefined ? String(src) : String(node.value);
  }
  if (isNode(node)) return isMap(node) ? 'a mapping' : 'a list';
  return undefined;
}

export function fieldName(p: Path): string {
  return p.length ? p.map(String).join('.') : '(top level)';
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** ` (did you mean "x"?)` when one known name is close to what was written, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(word.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.k.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))[0];
  return best ? ` (did you mean "${best.k}"?)` : '';
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  getter?: () => { _zod: { def: SchemaDef } };
}

/** The field names an object schema at `p` accepts (through lists, defaults, optionals, transforms). */
function knownKeys(schema: z.ZodType, p: Path): string[] {
  let def: SchemaDef | undefined = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = () => {
    for (let guard = 0; def && guard < 20; guard++) {
      if (def.innerType) def = def.innerType._zod.def;
      else if (def.type === 'pipe' && def.in) def = def.in._zod.def;
      else if (def.type === 'lazy' && def.getter) def = def.getter()._zod.def;
      else break;
    }
  };
  unwrap();
  for (const step of p) {
    if (!def) return [];
    if (def.type === 'object' && def.shape && typeof step === 'string') def = def.shape[step]?._zod.def;
    else if (def.type === 'array' && def.element && typeof step === 'number') def = def.element._zod.def;
    else return [];
    unwrap();
  }
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

type Issue = z.core.$ZodIssue;

function expectedType(t: string): string {
  if (t === 'object' || t === 'record' || t === 'map') return 'a mapping';
  if (t === 'array' || t === 'tuple') return 'a list';
  if (t === 'int') return 'a whole number';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/**
 * One line per schema issue, each naming the file and line, the field, what was expected and
 * what was written. At most `max` lines, with a count of the rest.
 */
export function schemaMessages(y: YamlSource, schema: z.ZodType, issues: readonly Issue[], max = 5): string[] {
  const lines = issues.slice(0, max).map((iss) => {
    const p = iss.path;
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys(schema, p);
      const where = `${fieldName(p)}: `.replace(/^\(top level\): /, '');
      return iss.keys
        .map((k) => `${locateKey(y, p, k)}: ${where}unknown field "${k}"${didYouMean(k, known)}${known.length ? `; expected one of ${known.join(', ')}` : ''}`)
        .join('\n');
    }
    const got = written(y, p);
    const missing = got === undefined ? 'missing; ' : '';
    let message = iss.message;
    if (iss.code === 'invalid_value' && iss.values.length > 1) {
      const values = iss.values.map(String);
      message = `${missing}expected one of ${values.join(', ')}${got ? didYouMean(got.replace(/^"|"$/g, ''), values) : ''}`;
    } else if (iss.code === 'invalid_type') {
      message = `${missing}expected ${expectedType(iss.expected)}`;
    } else if (iss.code === 'too_small' || iss.code === 'too_big') {
      const [op, bound] = iss.code === 'too_small' ? [iss.inclusive ? '>=' : '>', iss.minimum] : [iss.inclusive ? '<=' : '<', iss.maximum];
      const n = Number(bound);
      if (iss.origin === 'number' || iss.origin === 'int') message = `expected a number ${op} ${bound}`;
      else if (iss.origin === 'array') message = `expected ${iss.code === 'too_small' ? 'at least' : 'at most'} ${n} entr${n === 1 ? 'y' : 'ies'}`;
      else if (iss.origin === 'string' && iss.code === 'too_small' && n === 1) message = 'expected a non-empty string';
      else if (iss.origin === 'string') message = `expected ${iss.code === 'too_small' ? 'at least' : 'at most'} ${n} character(s)`;
    } else {
      message = message.replace(/^Invalid input$/, 'not a valid value');
    }
    const shown = got !== undefined && !message.includes(got) ? ` (got ${got})` : '';
    return `${locate(y, p)}: ${fieldName(p)}: ${message}${shown}`;
  });
  if (issues.length > max) lines.push(`${y.source}: ... and ${issues.length - max} more problem(s)`);
  return lines;
}
