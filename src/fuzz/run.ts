// Model-based fuzzing of one profile on one platform with fast-check's fc.commands: random
// sequences of shell operations (src/fuzz/ops.ts) on a fresh machine, every invariant checked
// after every operation (src/fuzz/system.ts). A failure is shrunk by fast-check to a minimal
// sequence, replayed on a fresh machine to confirm it, given a last command that shows the
// problem the way a user would see it, and printed as a script for `memconform shell`.

import fc from 'fast-check';
import { Machine } from '../machine';
import { loadPlatform, Platform } from '../platform/load';
import type { Profile } from '../policy/profiles';
import type { CheckMode } from '../invariants';
import { ZoneType } from '../mm/zone';
import { commandArbitraries, platformTraits } from './ops';
import { FuzzFailure, FuzzSystem } from './system';

export interface FuzzTarget {
  profile: Profile;
  platform: string;
  /**
   * `guarding`: the profile promises the policy invariants on this platform; any violation
   * fails. `expect`: the profile is documented to break them here (requirement mode); the
   * run succeeds when it finds that failure.
   */
  kind: 'guarding' | 'expect';
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this many operations (shell lines) have run. */
  ops: number;
  /** Stop after this many milliseconds (checked between batches). */
  budgetMs: number;
  /** Stop after this many runs. */
  runs?: number;
  /** Longest operation sequence per run. */
  maxCommands?: number;
}

export interface ShrunkFailure {
  failure: FuzzFailure;
  append: string;
  /** Operations (shell lines) of the first failing run, before shrinking. */
  originalLength: number;
  /** Operations (shell lines) of the shrunk sequence, the failing one last. */
  operations: number;
  /** The replayable script: header comments, the shrunk lines, the exhibit, a closing comment. */
  script: string;
  /** The failure happened again, at the same line, when the script was replayed on a fresh machine. */
  replayed: boolean;
  /** What the exhibit printed (the lines after the failing operation). */
  exhibitOutput: string[];
}

export interface TargetResult {
  target: FuzzTarget;
  runs: number;
  ops: number;
  ms: number;
  /** The first failure, shrunk; for `expect` targets this is the point. */
  failure?: ShrunkFailure;
  /** Failures of another kind met while shrinking (crashes, other invariants): always reported. */
  others: FuzzFailure[];
}

/** Kernel parameters each run boots with, one drawn per run (the shell's --append). */
export function bootVariants(p: Platform): string[] {
  const common = ['', 'memhp_default_state=online_movable', 'memhp_default_state=online', 'memory_hotplug.memmap_on_memory=1', 'memory_hotplug.online_policy=auto-movable memhp_default_state=online'];
  if (p.arch === 'arm64') return [...common, 'arm64.nomte', 'memhp_default_state=online_kernel'];
  if (p.tdx) return [...common, 'modprobe.blacklist=kmem', 'modprobe.blacklist=kmem memhp_default_state=online_movable', 'memhp_default_state=online_kernel'];
  return [...common, 'movable_node memhp_default_state=online', 'memhp_default_state=online_kernel'];
}

/** A platform is read-only for the model: freeze it so a stray write is a crash, not a leak into the next run. */
function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

const platformCache = new Map<string, Platform>();

export function bootPlatform(name: string, append: string): Platform {
  const key = `${name}\n${append}`;
  let p = platformCache.get(key);
  if (!p) {
    const base = loadPlatform(name);
    p = deepFreeze(append ? loadPlatform(name, { cmdline: `${base.cmdline} ${append}`.trim() }) : base);
    platformCache.set(key, p);
  }
  return p;
}

export function checkMode(t: FuzzTarget): CheckMode {
  return t.kind === 'expect' ? 'requirement' : 'policy';
}

/** Is this the failure an `expect` target hunts (a policy invariant, not a crash or a structural one)? */
export function isDocumentedFailure(f: FuzzFailure): boolean {
  return f.kind === 'violation' && ['buddy-pages-tdx', 'td-pages-tdx', 'buddy-pages-taggable'].includes(f.violation!.invariant);
}

export function fuzzTarget(target: FuzzTarget, opts: FuzzOptions): TargetResult {
  const started = Date.now();
  const deadline = started + opts.budgetMs;
  const base = loadPlatform(target.platform);
  const blockSize = new Machine({ platform: bootPlatform(target.platform, ''), profile: target.profile }).blocks.blockSize;
  const traits = platformTraits(base, blockSize);
  const appends = bootVariants(base);
  const mode = checkMode(target);
  const counter = { ops: 0 };
  const maxCommands = opts.maxCommands ?? 60;
  const result: TargetResult = { target, runs: 0, ops: 0, ms: 0, others: [] };

  // The first failure fixes what shrinking keeps: a smaller sequence that fails differently
  // does not count as the same failure (it is kept and reported separately).
  let signature: string | null = null;
  let last: { failure: FuzzFailure; append: string } | null = null;
  let first: { failure: FuzzFailure; append: string } | null = null;
  const seenOthers = new Set<string>();

  const property = (cmdArb: fc.Arbitrary<Iterable<fc.Command<object, FuzzSystem>>>) =>
    fc.property(fc.constantFrom(...appends), cmdArb, (append, cmds) => {
      result.runs++;
      const sys = new FuzzSystem({ platform: bootPlatform(target.platform, append), profile: target.profile, append }, mode, counter);
      try {
        fc.modelRun(() => ({ model: {}, real: sys }), cmds);
      } catch (e) {
        const f = e instanceof FuzzFailure ? e : new FuzzFailure('fuzzer', sys.lines[sys.lines.length - 1] ?? '', [...sys.lines], undefined, e);
        if (signature === null) {
          signature = f.signature;
          first = { failure: f, append };
        }
        if (f.signature !== signature) {
          if (!seenOthers.has(f.signature)) {
            seenOthers.add(f.signature);
            result.others.push(f);
          }
          return true;
        }
        last = { failure: f, append };
        throw f;
      }
      return true;
    });

  let batch = 0;
  let opsPerRun = maxCommands / 3;
  let msPerRun = 20;
  const maxRuns = opts.runs ?? Infinity;
  while (counter.ops < opts.ops && result.runs < maxRuns && Date.now() < deadline) {
    // Batches of runs sized to the operations still wanted and to about five seconds at the
    // rate seen so far, so the budget is checked often; each batch has its own seed.
    const byOps = Math.ceil((opts.ops - counter.ops) / Math.max(1, opsPerRun));
    const byTime = Math.ceil(Math.min(5000, deadline - Date.now()) / Math.max(0.1, msPerRun));
    const numRuns = Math.max(1, Math.min(400, byOps, byTime, maxRuns - result.runs));
    const before = { ops: counter.ops, runs: result.runs, t: Date.now() };
    const details = fc.check(property(fc.commands(commandArbitraries(traits), { maxCommands, size: 'max' })), { seed: opts.seed + batch * 7919, numRuns, unbiased: true });
    batch++;
    const ran = result.runs - before.runs;
    if (ran > 0) {
      opsPerRun = (counter.ops - before.ops) / ran || opsPerRun;
      msPerRun = (Date.now() - before.t) / ran;
    }
    if (details.failed) break;
  }
  result.ops = counter.ops;
  result.ms = Date.now() - started;
  if (last) {
    const l = last as { failure: FuzzFailure; append: string };
    const f0 = first as { failure: FuzzFailure; append: string } | null;
    result.failure = replayAndExplain(target, l, f0, f0?.failure.lines.length ?? l.failure.lines.length);
  }
  return result;
}

// --- replay, exhibit, script ---

/** Replay lines on a fresh machine; the failure they end in, if any. */
function replay(target: FuzzTarget, append: string, lines: string[]): { sys: FuzzSystem; failure: FuzzFailure | null } {
  const sys = new FuzzSystem({ platform: bootPlatform(target.platform, append), profile: target.profile, append }, checkMode(target), { ops: 0 });
  for (const l of lines) {
    try {
      sys.run(l);
    } catch (e) {
      if (e instanceof FuzzFailure) return { sys, failure: e };
      throw e;
    }
  }
  return { sys, failure: null };
}

/** Bytes an allocation bound to `nid` takes before it reaches `addr` (the zonelist order of page_alloc.ts). */
function bytesToReach(m: Machine, nid: number, kind: 'movable' | 'unmovable', addr: number): number | null {
  let bytes = 0;
  for (const z of m.pages.zonelist(nid, kind, [nid])) {
    if (z.free.intersects(addr, addr + 1)) return bytes + z.free.coverage(0, addr);
    bytes += z.free.size;
  }
  return null;
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Commands after the failure that show it as a user would: a TD refused, tags lost, a block online. */
function exhibitLines(sys: FuzzSystem, f: FuzzFailure): string[][] {
  const m = sys.machine;
  const v = f.violation;
  const r = v?.range;
  if (!v || !r) return [];
  const candidates: string[][] = [];
  const zone = m.zoneOf(r.start);
  const blockId = m.blocks.blockIdOf(r.start);
  const blockLines = m.blocks.find(blockId) ? [`cat /sys/devices/system/memory/memory${blockId}/state`] : [];
  if (zone && (v.invariant === 'buddy-pages-tdx' || v.invariant === 'td-pages-tdx') && zone.type <= ZoneType.NORMAL) {
    // guest_memfd takes kernel-zone pages of the TD's node in zonelist order: ask for enough
    // to reach the range; TDH.MEM.PAGE.ADD refuses its first page.
    const need = bytesToReach(m, zone.nid, 'unmovable', r.start);
    if (need !== null) {
      const size = roundUp(need + 2 * 2 ** 20, 2 * 2 ** 20) / 2 ** 20;
      const pre = m.kvm.loaded ? [] : ['modprobe kvm_intel tdx=1'];
      candidates.push([...pre, `td create witness --memory ${size}M --initial ${size}M --membind ${zone.nid}`]);
    }
  }
  if (zone && v.invariant === 'buddy-pages-taggable') {
    const need = bytesToReach(m, zone.nid, 'movable', r.start);
    if (need !== null) candidates.push([`mmap NULL ${roundUp(need + 2 * 2 ** 20, 2 * 2 ** 20)} 'PROT_READ|PROT_WRITE|PROT_MTE' 'MAP_PRIVATE|MAP_ANONYMOUS' -1 0`, `# then: mbind to node ${zone.nid}, mte-test`]);
  }
  candidates.push(blockLines);
  return candidates;
}

function shellQuote(s: string): string {
  return /^[\w./=,-]*$/.test(s) ? s : `"${s}"`;
}

/** Replay `lines`; if they fail the same way, the lines up to the failure. */
function failsSame(target: FuzzTarget, append: string, lines: string[], signature: string): string[] | null {
  const r = replay(target, append, lines);
  return r.failure && r.failure.signature === signature ? r.sys.lines : null;
}

/**
 * fast-check shrinks the operation sequence, but an operation picks what it acts on by index
 * among what exists, so dropping one can change what a later one picks. The lines it
 * recorded are concrete, though: remove chunks of lines, then single lines, for as long as
 * the replay still fails the same way (delta debugging), then drop boot parameters likewise.
 */
export function minimizeLines(target: FuzzTarget, append: string, lines: string[], signature: string): { lines: string[]; append: string } {
  let cur = failsSame(target, append, lines, signature) ?? lines;
  let chunks = 2;
  while (cur.length > 1) {
    const size = Math.ceil(cur.length / chunks);
    let progressed = false;
    for (let i = 0; i < cur.length && !progressed; i += size) {
      const r = failsSame(target, append, [...cur.slice(0, i), ...cur.slice(i + size)], signature);
      if (r) {
        cur = r;
        chunks = Math.max(2, chunks - 1);
        progressed = true;
      }
    }
    if (!progressed) {
      if (size === 1) break;
      chunks = Math.min(cur.length, chunks * 2);
    }
  }
  let params = append.split(' ').filter(Boolean);
  for (const p of [...params]) {
    const fewer = params.filter((x) => x !== p);
    const r = failsSame(target, fewer.join(' '), cur, signature);
    if (r) {
      params = fewer;
      cur = r;
    }
  }
  return { lines: cur, append: params.join(' ') };
}

/** Run the exhibit candidates after the failing line; the first whose output shows the problem. */
function findExhibit(target: FuzzTarget, append: string, lines: string[], f: FuzzFailure): { lines: string[]; output: string[] } | null {
  const probe = replay(target, append, lines);
  if (!probe.failure) return null;
  for (const cand of exhibitLines(probe.sys, f)) {
    // A fresh replay per candidate; the exhibit itself runs without invariant checks.
    const sys = replay(target, append, lines.slice(0, -1)).sys;
    sys.session.runText(lines[lines.length - 1], 'fuzz');
    const run: string[] = [];
    const out: string[] = [];
    for (const line of cand) {
      const mb = /^# then: mbind to node (\d+), mte-test$/.exec(line);
      if (mb) {
        // The mapping's address is what the mmap before it returned.
        const addr = /= (0x[0-9a-f]+)$/.exec(out[out.length - 1] ?? '')?.[1];
        const len = /^mmap NULL (\d+)/.exec(run[run.length - 1] ?? '')?.[1];
        if (!addr || !len) break;
        for (const l of [`mbind ${addr} ${len} MPOL_BIND ${mb[1]}`, `mte-test 0x5${addr.slice(2).padStart(14, '0')} ${len}`]) {
          run.push(l);
          out.push(...sys.session.runText(l, 'fuzz')!.transcript.slice(1));
        }
        continue;
      }
      run.push(line);
      out.push(...sys.session.runText(line, 'fuzz')!.transcript.slice(1));
    }
    if (out.some((l) => /TDH_MEM_PAGE_ADD 0x|tags lost on|^online$/.test(l))) return { lines: run, output: out };
  }
  return null;
}

function replayAndExplain(
  target: FuzzTarget,
  shrunk: { failure: FuzzFailure; append: string },
  first: { failure: FuzzFailure; append: string } | null,
  originalLength: number,
): ShrunkFailure {
  // fast-check's smallest sequence of operations is not always the fewest lines: minimize the
  // lines of both it and the first failing run, and keep the shorter.
  const failure = shrunk.failure;
  let min = minimizeLines(target, shrunk.append, failure.lines, failure.signature);
  if (first && first.failure !== failure) {
    const other = minimizeLines(target, first.append, first.failure.lines, failure.signature);
    if (other.lines.length < min.lines.length) min = other;
  }
  const { lines, append } = min;
  const again = replay(target, append, lines);
  const replayed = !!again.failure && again.failure.signature === failure.signature && again.sys.lines.length === lines.length;
  const f = again.failure ?? failure;
  const exhibit = replayed && f.kind === 'violation' ? findExhibit(target, append, lines, f) : null;
  const p = target.profile.name;
  const what = f.kind === 'violation' ? f.violation!.invariant : f.kind === 'crash' ? 'a crash of the model' : 'a fuzzer error';
  const header = [
    `# memconform fuzz: ${what} under ${p} on ${target.platform}, shrunk to ${lines.length} operation${lines.length === 1 ? '' : 's'} (first failing run: ${originalLength})`,
    `# replay: ./bin/memconform.js shell --platform ${target.platform} --profile ${p}${append ? ` --append ${shellQuote(append)}` : ''} - < this-script`,
  ];
  const closing = f.kind === 'violation' ? `# ${f.violation!.invariant}: ${f.violation!.detail}` : `# ${f.message}`;
  const shown = exhibit ? ['# what a user sees:', ...exhibit.lines] : [];
  return { failure: f, append, originalLength, operations: lines.length, script: [...header, ...lines, closing, ...shown].join('\n') + '\n', replayed, exhibitOutput: exhibit?.output ?? [] };
}
