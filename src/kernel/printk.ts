// The kernel log: printk levels, pr_fmt/dev_* prefixes, dynamic debug and rate limiting.
// mirrors kernel/printk/printk.c (the record buffer) and lib/dynamic_debug.c (callsite control)

import { Clock, NSEC_PER_SEC } from './clock';

export const LOGLEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;
export type LogLevel = (typeof LOGLEVELS)[number];

export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_CRIT = 2;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
export const KERN_DEBUG = 7;

export interface LogRecord {
  seq: number;
  tsNs: number;
  level: number;
  text: string;
}

/** A pr_debug() callsite as lib/dynamic_debug.c tracks it. */
export interface DebugCallsite {
  file: string; // path in the kernel tree, e.g. mm/memory_hotplug.c
  func: string;
  module: string; // KBUILD_MODNAME
  format: string; // the format string, for `format` queries and the control listing
  enabled: boolean;
}

export class DynamicDebug {
  private sites: DebugCallsite[] = [];

  register(site: Omit<DebugCallsite, 'enabled'>): DebugCallsite {
    const existing = this.sites.find((s) => s.file === site.file && s.func === site.func && s.format === site.format);
    if (existing) return existing;
    const s = { ...site, enabled: false };
    this.sites.push(s);
    return s;
  }

  // mirrors ddebug_exec_queries(), lib/dynamic_debug.c: ';' or newline separated queries,
  // each "keyword value ... flags". Returns the number of callsites matched, or -EINVAL.
  exec(text: string): number {
    let matched = 0;
    for (const raw of text.split(/[;\n]/)) {
      const q = raw.trim();
      if (!q || q.startsWith('#')) continue;
      const r = this.execOne(q);
      if (r < 0) return r;
      matched += r;
    }
    return matched;
  }

  private execOne(q: string): number {
    const words = q.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
    if (words.length < 1) return -22;
    const flags = words.pop()!;
    const fm = /^([+\-=])([pmflt_]*)$/.exec(flags);
    if (!fm) return -22;
    if (words.length % 2 !== 0) return -22;
    const filters: Array<(s: DebugCallsite) => boolean> = [];
    for (let i = 0; i < words.length; i += 2) {
      const key = words[i];
      const val = words[i + 1].replace(/^["']|["']$/g, '');
      switch (key) {
        case 'file':
          filters.push((s) => globMatch(val, s.file) || globMatch(val, s.file.split('/').pop()!));
          break;
        case 'func':
          filters.push((s) => globMatch(val, s.func));
          break;
        case 'module':
          filters.push((s) => globMatch(val, s.module));
          break;
        case 'format':
          filters.push((s) => s.format.includes(val));
          break;
        case 'line':
          // Line numbers are not modelled (see README); a line filter matches every callsite.
          break;
        default:
          return -22;
      }
    }
    const p = fm[2].includes('p');
    let n = 0;
    for (const s of this.sites) {
      if (!filters.every((f) => f(s))) continue;
      n++;
      if (fm[1] === '+') s.enabled = s.enabled || p;
      else if (fm[1] === '-') s.enabled = s.enabled && !p;
      else s.enabled = p;
    }
    return n;
  }

  // mirrors ddebug_proc_show(): "filename:lineno [module]function =flags "format""
  listing(): string {
    const lines = ['# filename:lineno [module]function flags format'];
    for (const s of this.sites) {
      const fmt = s.format.replace(/\n/g, '\\n');
      lines.push(`${s.file}:0 [${s.module}]${s.func} =${s.enabled ? 'p' : '_'} "${fmt}"`);
    }
    return lines.join('\n') + '\n';
  }
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(s);
}

/** ___ratelimit() state: at most `burst` messages per `intervalNs`. */
export class RateLimit {
  private begin = -1;
  private printed = 0;
  missed = 0;

  constructor(
    readonly func: string,
    readonly intervalNs = 5 * NSEC_PER_SEC,
    readonly burst = 10,
  ) {}

  // mirrors ___ratelimit(), lib/ratelimit.c; returns the "callbacks suppressed" count to report
  // when a new interval starts, or -1 if this message must be dropped.
  check(now: number): { allowed: boolean; suppressedReport: number } {
    let report = 0;
    if (this.begin < 0) this.begin = now;
    if (now - this.begin >= this.intervalNs) {
      report = this.missed;
      this.missed = 0;
      this.begin = now;
      this.printed = 0;
    }
    if (this.printed < this.burst) {
      this.printed++;
      return { allowed: true, suppressedReport: report };
    }
    this.missed++;
    return { allowed: false, suppressedReport: report };
  }
}

export class Printk {
  private records: LogRecord[] = [];
  private seq = 0;
  readonly dyndbg = new DynamicDebug();

  constructor(private readonly clock: Clock) {}

  // mirrors vprintk_emit(): one record per line of text, stamped with the current time.
  emit(level: number, text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      this.records.push({ seq: this.seq++, tsNs: this.clock.now(), level, text: line });
    }
  }

  /** pr_debug()/dev_dbg(): recorded only if dynamic debug enables the callsite now. */
  debug(site: DebugCallsite, text: string): void {
    if (site.enabled) this.emit(KERN_DEBUG, text);
  }

  /** printk_ratelimited(): drops messages past the burst, then reports how many it dropped. */
  ratelimited(rs: RateLimit, level: number, text: string): void {
    const { allowed, suppressedReport } = rs.check(this.clock.now());
    if (suppressedReport > 0) this.emit(KERN_WARNING, `${rs.func}: ${suppressedReport} callbacks suppressed`);
    if (allowed) this.emit(level, text);
  }

  all(): readonly LogRecord[] {
    return this.records;
  }

  clear(): void {
    this.records = [];
  }

  /** Text lines of records at or after a sequence number, for "what did this step log". */
  since(seq: number): LogRecord[] {
    return this.records.filter((r) => r.seq >= seq);
  }

  get nextSeq(): number {
    return this.seq;
  }
}

/** dmesg's default line: "[    5.123456] text". */
export function formatDmesgLine(r: LogRecord): string {
  const sec = Math.floor(r.tsNs / NSEC_PER_SEC);
  const usec = Math.floor((r.tsNs % NSEC_PER_SEC) / 1000);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}] ${r.text}`;
}
