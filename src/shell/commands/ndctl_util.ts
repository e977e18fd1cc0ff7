// What ndctl's two tools, daxctl and cxl, share: ndctl's util/ option parser and JSON
// printing, and the C-library and sysfs details both libraries depend on (strerror(),
// basename(), the order readdir() returns sysfs entries in).

import { E, strerror } from '../../util/errno';
import type { CommandContext } from '../command';

// ----------------------------------------------------------------------------------------------
// Small C-library helpers

// strerror() for any errno, glibc style for numbers the errno table does not name.
export function errstr(err: number): string {
  if (err === 0) return 'Success';
  if (Math.abs(err) === 40) return 'Too many levels of symbolic links';
  try {
    return strerror(err);
  } catch {
    return `Unknown error ${Math.abs(err)}`;
  }
}

export function basename(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? (p.startsWith('/') ? '/' : p) : t.slice(t.lastIndexOf('/') + 1);
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export const U64 = (1n << 64n) - 1n;

/** kernfs_name_hash() of each name seen, memoized: a pure function, and BigInt arithmetic is slow. */
const NAME_HASHES = new Map<string, number>();

export function kernfsNameHash(name: string): number {
  let v = NAME_HASHES.get(name);
  if (v === undefined) NAME_HASHES.set(name, (v = computeKernfsNameHash(name)));
  return v;
}

// mirrors kernfs_name_hash() (fs/kernfs/dir.c) with init/partial/end_name_hash() of
// include/linux/stringhash.h on a 64-bit kernel: readdir() of a sysfs directory returns entries
// in (hash, name) order, and libdaxctl builds its lists in that order.
function computeKernfsNameHash(name: string): number {
  let h = 0n;
  for (const b of Buffer.from(name)) {
    const c = BigInt(b);
    h = ((h + (c << 4n) + (c >> 4n)) * 11n) & U64;
  }
  let v = ((h * 0x61c8864680b583ebn) & U64) >> 32n; // hash_long(hash, 32)
  v &= 0x7fffffffn;
  if (v < 2n) v += 2n;
  if (v >= 0x7fffffffn) v = 0x7ffffffen;
  return Number(v);
}

export function kernfsReaddirOrder(names: string[]): string[] {
  return names
    .map((n) => ({ n, h: kernfsNameHash(n) }))
    .sort((a, b) => a.h - b.h || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
    .map((x) => x.n);
}

// ----------------------------------------------------------------------------------------------
// util/sysfs.c

// mirrors sysfs_read_attr(): one trailing newline dropped; -errno on failure.
export function sysfsReadAttr(ctx: CommandContext, path: string): string | number {
  const r = ctx.vfs.read(path);
  if (typeof r === 'number') return r;
  if (r.length >= 1024) return -E.EINVAL;
  return r.endsWith('\n') ? r.slice(0, -1) : r;
}

// mirrors sysfs_write_attr()/sysfs_write_attr_quiet() (their failure logs are dbg() only).
export function sysfsWriteAttr(ctx: CommandContext, path: string, buf: string): number {
  const f = ctx.vfs.open(path);
  if (typeof f === 'number') return f;
  const r = f.write!(buf);
  return r < 0 ? r : 0;
}

// ----------------------------------------------------------------------------------------------
// util/parse-options.c

export interface OptSpec {
  short?: string;
  long?: string;
  kind: 'bool' | 'string' | 'integer' | 'incr';
  key: string;
  argh?: string;
  help: string;
}

export type OptValues = Record<string, boolean | string | number | null>;

export interface ParsedOpts {
  values: OptValues;
  args: string[];
  errors: string[];
  help: boolean;
}

const OPT_SHORT = 1;
const OPT_UNSET = 2;

// error(), util/usage.c
export const errorLine = (msg: string) => `  Error: ${msg}`;

/** A builtin of an ndctl-family tool: its usage line, its options and their defaults. */
export interface ToolSubCommand {
  usage: string;
  options: OptSpec[];
  defaults?: OptValues;
}

export interface ToolInvocation<S extends ToolSubCommand> {
  name: string;
  sub: S;
  values: OptValues;
  args: string[];
  /** A usage error made of these lines, as the builtin prints them, then its usage. */
  withUsage(lines: string[]): string;
}

// mirrors main_handle_options() and handle_builtin() of ndctl's util/main.c (shared by daxctl
// and cxl), then the builtin's parse_options(): a string is what the usage error prints (the
// tools exit 129 on those). `notModelled` are real builtins the model cannot back.
export function parseToolInvocation<S extends ToolSubCommand>(
  tool: string,
  argv: string[],
  subcommands: Record<string, S>,
  notModelled: { names: readonly string[]; why: string },
): ToolInvocation<S> | string {
  const a = argv.slice(1);
  if (!a.length) return `usage: ${tool} [--version] [--help] COMMAND [ARGS]`;
  const first = a[0];
  if (['--version', '-v', '--help', '-h', '--list-cmds'].includes(first)) return `${tool} ${first} is not modelled`;
  if (first.startsWith('-')) return `Unknown option: ${first}`;
  if (notModelled.names.includes(first)) return `${tool} ${first} is not modelled (${notModelled.why})`;
  const sub = Object.hasOwn(subcommands, first) ? subcommands[first] : undefined;
  if (!sub) return `Unknown command: '${first}'`;
  const withUsage = (lines: string[]) => `${lines.map((l) => l.trim()).filter((l) => l).join('; ')}; usage: ${sub.usage}`;
  if (a[1] === '--help') return `${tool} ${first} --help shows the man page, which is not modelled; usage: ${sub.usage}`;
  const p = parseOptions(a.slice(1), sub.options, sub.defaults);
  if (p.help) return `usage: ${sub.usage}`;
  if (p.errors.length) return withUsage(p.errors);
  return { name: first, sub, values: p.values, args: p.args, withUsage };
}

export function parseOptions(argv: string[], options: OptSpec[], defaults: OptValues = {}): ParsedOpts {
  const values: OptValues = {};
  for (const o of options) values[o.key] = o.kind === 'bool' ? false : o.kind === 'incr' ? 0 : null;
  Object.assign(values, defaults);
  const out: ParsedOpts = { values, args: [], errors: [], help: false };
  let i = 0;
  let cur: string | null = null;

  const opterror = (o: OptSpec, reason: string, flags: number): number => {
    if (flags & OPT_SHORT) out.errors.push(errorLine(`switch \`${o.short}' ${reason}`));
    else if (flags & OPT_UNSET) out.errors.push(errorLine(`option \`no-${o.long}' ${reason}`));
    else out.errors.push(errorLine(`option \`${o.long}' ${reason}`));
    return -1;
  };

  // mirrors get_arg()
  const getArg = (o: OptSpec, flags: number): string | null => {
    if (cur !== null) {
      const a = cur;
      cur = null;
      return a;
    }
    if (i + 1 < argv.length) return argv[++i];
    opterror(o, 'requires a value', flags);
    return null;
  };

  // mirrors get_value()
  const getValue = (o: OptSpec, flags: number): number => {
    const unset = flags & OPT_UNSET;
    if (unset && cur !== null) return opterror(o, 'takes no value', flags);
    if (!(flags & OPT_SHORT) && cur !== null && (o.kind === 'bool' || o.kind === 'incr')) return opterror(o, 'takes no value', flags);
    switch (o.kind) {
      case 'bool':
        values[o.key] = !unset;
        return 0;
      case 'incr':
        values[o.key] = unset ? 0 : (values[o.key] as number) + 1;
        return 0;
      case 'string': {
        if (unset) {
          values[o.key] = null;
          return 0;
        }
        const a = getArg(o, flags);
        if (a === null) return -1;
        values[o.key] = a;
        return 0;
      }
      case 'integer': {
        if (unset) {
          values[o.key] = 0;
          return 0;
        }
        const a = getArg(o, flags);
        if (a === null) return -1;
        // strtol(arg, &s, 10); anything left over is an error
        const m = /^[ \t\n]*([+-]?\d*)(.*)$/s.exec(a)!;
        if (m[2] !== '' || (m[1] !== '' && !/\d/.test(m[1]))) return opterror(o, 'expects a numerical value', flags);
        values[o.key] = m[1] === '' || m[1] === '+' || m[1] === '-' ? 0 : Math.max(-0x80000000, Math.min(0x7fffffff, parseInt(m[1], 10)));
        return 0;
      }
    }
  };

  // mirrors parse_short_opt()
  const parseShort = (): number => {
    const o = options.find((x) => x.short === cur![0]);
    if (!o) return -2;
    cur = cur!.length > 1 ? cur!.slice(1) : null;
    return getValue(o, OPT_SHORT);
  };

  // mirrors parse_long_opt(), abbreviations and --no- negation included.
  const parseLong = (arg: string): number => {
    const eq = arg.indexOf('=');
    const argName = eq >= 0 ? arg.slice(0, eq) : arg;
    let abbrev: OptSpec | null = null;
    let abbrevFlags = 0;
    let ambiguous: OptSpec | null = null;
    let ambiguousFlags = 0;
    for (const o of options) {
      if (!o.long) continue;
      let flags = 0;
      let rest: string | null = arg.startsWith(o.long) ? arg.slice(o.long.length) : null;
      let abbreviated = false;
      if (rest === null) {
        if (o.long.startsWith('no-')) {
          const pos = o.long.slice(3);
          if (arg.startsWith(pos)) {
            rest = arg.slice(pos.length);
            flags |= OPT_UNSET;
          } else if (pos.startsWith(arg)) {
            flags |= OPT_UNSET;
            abbreviated = true;
          }
        }
        if (rest === null && !abbreviated) {
          if (o.long.startsWith(argName)) abbreviated = true;
          else if ('no-'.startsWith(arg)) {
            flags |= OPT_UNSET;
            abbreviated = true;
          } else if (!arg.startsWith('no-')) continue;
          else {
            flags |= OPT_UNSET;
            const a3 = arg.slice(3);
            rest = a3.startsWith(o.long) ? a3.slice(o.long.length) : null;
            if (rest === null && o.long.startsWith(a3)) abbreviated = true;
            else if (rest === null) continue;
          }
        }
        if (abbreviated) {
          if (abbrev) {
            ambiguous = abbrev;
            ambiguousFlags = abbrevFlags;
          }
          if (!(flags & OPT_UNSET) && eq >= 0) cur = arg.slice(eq + 1);
          abbrev = o;
          abbrevFlags = flags;
          continue;
        }
      }
      if (rest !== '') {
        if (rest![0] !== '=') continue;
        cur = rest!.slice(1);
      }
      return getValue(o, flags);
    }
    if (ambiguous && abbrev) {
      out.errors.push(errorLine(
        `Ambiguous option: ${arg} (could be --${ambiguousFlags & OPT_UNSET ? 'no-' : ''}${ambiguous.long} or --${abbrevFlags & OPT_UNSET ? 'no-' : ''}${abbrev.long})`,
      ));
      return -1;
    }
    if (abbrev) return getValue(abbrev, abbrevFlags);
    return -2;
  };

  // mirrors check_typos()
  const checkTypos = (arg: string): boolean => {
    if (arg.length < 3) return false;
    if (arg.startsWith('no-') || options.some((o) => o.long && o.long.startsWith(arg))) {
      out.errors.push(errorLine(`did you mean \`--${arg}\` (with two dashes ?)`));
      return true;
    }
    return false;
  };

  // mirrors parse_options_step()
  for (; i < argv.length; i++) {
    const arg = argv[i];
    cur = null;
    if (arg[0] !== '-' || arg.length === 1) {
      out.args.push(arg);
      continue;
    }
    if (arg[1] !== '-') {
      cur = arg.slice(1);
      if (cur[0] === 'h') {
        out.help = true;
        return out;
      }
      let r = parseShort();
      if (r === -1) return out;
      if (r === -2) {
        out.errors.push(errorLine(`unknown switch \`${cur[0]}'`));
        return out;
      }
      if (cur !== null && checkTypos(arg.slice(1))) return out;
      while (cur !== null) {
        if (cur[0] === 'h') {
          out.help = true;
          return out;
        }
        r = parseShort();
        if (r === -1) return out;
        if (r === -2) {
          out.errors.push(errorLine(`unknown switch \`${cur![0]}'`));
          return out;
        }
      }
      continue;
    }
    if (arg.length === 2) {
      out.args.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '--help-all') {
      out.help = true;
      return out;
    }
    const r = parseLong(arg.slice(2));
    if (r === -1) return out;
    if (r === -2) {
      out.errors.push(errorLine(`unknown option \`${arg.slice(2)}'`));
      return out;
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------------------
// json-c output with ndctl's size and hex serializers

export const UTIL_JSON_IDLE = 1 << 0;
export const UTIL_JSON_HUMAN = 1 << 4;

export type J =
  | { t: 'int'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'size'; v: number; human: boolean }
  | { t: 'hex'; v: number; human: boolean }
  | { t: 'arr'; v: J[] }
  | { t: 'obj'; v: Array<[string, J]> };
export type JObj = { t: 'obj'; v: Array<[string, J]> };

export const jint = (v: number): J => ({ t: 'int', v });
export const jstr = (v: string): J => ({ t: 'str', v });
export const jsize = (v: number, flags: number): J => ({ t: 'size', v, human: !!(flags & UTIL_JSON_HUMAN) });
export const jhex = (v: number, flags: number): J => ({ t: 'hex', v, human: !!(flags & UTIL_JSON_HUMAN) });
export const jobj = (): JObj => ({ t: 'obj', v: [] });

// json_object_object_add(): a key added again replaces the value in place.
export function add(o: JObj, key: string, v: J): void {
  const i = o.v.findIndex(([k]) => k === key);
  if (i >= 0) o.v[i] = [key, v];
  else o.v.push([key, v]);
}

// mirrors display_size(), util/json.c (adapted from mdadm's human_size_brief())
export function displaySize(bytesIn: number): string {
  const bytes = BigInt(bytesIn);
  if (bytes < 5000n * 1024n) return `${bytes}`;
  const two = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
  let s: string;
  if (bytes < 2n * 1024n * 1024n * 1024n) s = `"${two((bytes * 200n / (1n << 20n) + 1n) / 2n)} MiB`;
  else s = `"${two((bytes * 200n / (1n << 30n) + 1n) / 2n)} GiB`;
  if (bytes < 2n * 1024n * 1024n * 1024n) s += ` (${two((bytes / (1000000n / 200n) + 1n) / 2n)} MB)"`;
  else s += ` (${two((bytes / (1000000000n / 200n) + 1n) / 2n)} GB)"`;
  return s;
}

// mirrors json_escape_str() of json-c (slashes escaped: ndctl does not pass NOSLASHESCAPE).
export function jsonEscape(s: string): string {
  let o = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') o += '\\"';
    else if (ch === '\\') o += '\\\\';
    else if (ch === '/') o += '\\/';
    else if (ch === '\b') o += '\\b';
    else if (ch === '\n') o += '\\n';
    else if (ch === '\r') o += '\\r';
    else if (ch === '\t') o += '\\t';
    else if (ch === '\f') o += '\\f';
    else if (c < 0x20) o += `\\u00${c.toString(16).padStart(2, '0')}`;
    else o += ch;
  }
  return o;
}

// json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY): an empty array is "[\n]".
export function jsonPretty(j: J, level = 0): string {
  const ind = (l: number) => ' '.repeat(l * 2);
  switch (j.t) {
    case 'int':
      return String(j.v);
    case 'bool':
      return j.v ? 'true' : 'false';
    case 'str':
      return `"${jsonEscape(j.v)}"`;
    case 'size':
      return j.human ? displaySize(j.v) : String(j.v);
    case 'hex':
      return j.human ? `"${j.v === 0 ? '0' : '0x' + j.v.toString(16)}"` : String(j.v);
    case 'arr': {
      let s = '[\n';
      j.v.forEach((x, i) => {
        s += `${i ? ',\n' : ''}${ind(level + 1)}${jsonPretty(x, level + 1)}`;
      });
      return s + (j.v.length ? '\n' : '') + ind(level) + ']';
    }
    case 'obj': {
      let s = '{\n';
      j.v.forEach(([k, x], i) => {
        s += `${i ? ',\n' : ''}${ind(level + 1)}"${jsonEscape(k)}":${jsonPretty(x, level + 1)}`;
      });
      return s + (j.v.length ? '\n' : '') + ind(level) + '}';
    }
  }
}

// mirrors util_display_json_array(): one object alone is printed bare only with --human.
export function displayJsonArray(out: string[], arr: J[], flags: number): void {
  let text: string | null = null;
  if (arr.length > 1 || !(flags & UTIL_JSON_HUMAN)) text = jsonPretty({ t: 'arr', v: arr });
  else if (arr.length) text = jsonPretty(arr[0]);
  if (text !== null) out.push(...text.split('\n'));
}
