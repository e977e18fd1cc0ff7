// The World: one fresh Machine and shell Session per scenario, booted under the profile the
// run was started with (MEMCONFORM_PROFILE). Steps reach the model only through the Session:
// guest commands, monitor commands, and the files they read and write.

import { setWorldConstructor, World, IWorldOptions } from '@cucumber/cucumber';
import { Machine } from '../../src/machine';
import { Session, LineResult, ScriptError } from '../../src/shell/session';
import { loadProfile, DEFAULT_PROFILE, Profile } from '../../src/policy/profiles';
import { DIMENSIONS } from '../../src/policy/dimensions';
import { ProfileReads, profileView } from '../../src/policy/reads';
import { parsePlatform, Platform, platformFromDoc, presetNames, PRESET_DIR } from '../../src/platform/load';
import { InputError } from '../../src/util/errors';
import { didYouMean } from '../../src/util/yaml_input';

/** An InputError detail: `did you mean "x"?; known: a, b, c` (the suggestion first: it is what a reader needs). */
function known(word: string, names: readonly string[]): string {
  const hint = didYouMean(word, names).trim().replace(/^\(|\)$/g, '');
  return `${hint ? `${hint}; ` : ''}known: ${names.join(', ')}`;
}
import { parse, stringify } from 'yaml';
import * as fs from 'fs';
import * as path from 'path';

// Writing and parsing YAML and checking the schema cost more than booting the machine, and
// scenarios describe the same few platforms again and again: a preset is parsed once per file
// text, a scenario's platform once per document (a document that fails is never cached, so it
// fails the same way each time). A parsed platform is frozen, all of it, and handed to every
// scenario that describes it: the machine only reads its platform, and freezing makes a write
// throw instead of reaching the next scenario (cheaper than a copy per scenario, and stricter).
const presetDocs = new Map<string, unknown>();
const platforms = new Map<string, Platform>();
/** Preset file texts by path: the files are part of the suite, like the step code. */
const presetTexts = new Map<string, string | null>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parsePreset(text: string): Record<string, unknown> {
  if (!presetDocs.has(text)) presetDocs.set(text, parse(text));
  return structuredClone(presetDocs.get(text)) as Record<string, unknown>;
}

/**
 * A preset no step has changed: its platform is cached by the file's text, so the scenario
 * needs neither its own copy of the document nor a key made from it (most scenarios).
 */
function presetPlatform(text: string, source: string): Platform {
  const k = `preset\n${source}\n${text}`;
  let p = platforms.get(k);
  if (!p) {
    if (!presetDocs.has(text)) presetDocs.set(text, parse(text));
    p = deepFreeze(platformFromDoc(structuredClone(presetDocs.get(text)) as Record<string, unknown>, source));
    platforms.set(k, p);
  }
  return p;
}

/**
 * A key equal for two documents exactly when they hold the same values: JSON, with what JSON
 * would blur (undefined, non-finite numbers, -0, bigint) spelled out and strings escaped so
 * that no string reads like one of those; undefined for a document holding anything but plain
 * data (a Date, a class instance), which is then not cached.
 */
function docKey(doc: unknown): string | undefined {
  let plain = true;
  const key = JSON.stringify(doc, function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && ![Object.prototype, null].includes(Object.getPrototypeOf(raw))) plain = false;
    if (typeof v === 'string') return v.startsWith('\u0000') ? `\u0000${v}` : v;
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return `\u0000n${Object.is(v, -0) ? '-0' : v}`;
    if (typeof v === 'bigint') return `\u0000b${v}`;
    if (v === undefined) return '\u0000u';
    return v;
  });
  return plain ? key : undefined;
}

function parsePlatformCached(doc: Record<string, unknown>, source: string): Platform {
  const key = docKey(doc);
  // The document was built by steps: its line numbers would point into no file.
  if (key === undefined) return parsePlatform(stringify(doc), source, undefined, { lines: false });
  const k = `${source}\n${key}`;
  let p = platforms.get(k);
  if (!p) {
    // A key with a \u0000 marker holds what JSON and YAML spell differently (undefined, NaN,
    // -0, a bigint): that document takes the way through YAML text that a platform file takes.
    p = deepFreeze(key.includes('\u0000') ? parsePlatform(stringify(doc), source, undefined, { lines: false }) : platformFromDoc(doc, source));
    platforms.set(k, p);
  }
  return p;
}

// The run's profile, loaded once per profile name: keyed by the name so that a process that
// runs the suite again under another MEMCONFORM_PROFILE (a test runner, a mutation worker)
// never boots machines under the previous run's profile.
const profileCache = new Map<string, Profile>();

export function runProfile(): Profile {
  const name = process.env.MEMCONFORM_PROFILE || DEFAULT_PROFILE;
  let p = profileCache.get(name);
  if (!p) {
    // Frozen: every scenario shares it, so one that changed it would change the next ones.
    const loaded = loadProfile(name);
    p = Object.freeze({ ...loaded, policy: Object.freeze({ ...loaded.policy }), own: Object.freeze({ ...loaded.own }) });
    profileCache.set(name, p);
  }
  return p;
}

export class MemWorld extends World {
  private sessionValue?: Session;
  /** Result of the scenario's action (the When step). */
  last?: LineResult;
  /** Kernel log sequence number when the action started. */
  logMark = 0;

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** Policy choices a scenario states for itself ("Given the tdx-hotplug-guard policy is owner"). */
  private overrides: Record<string, string> = {};

  /** What the scenario read of the run's profile (src/policy/reads.ts; the policy matrix reuses results by it). */
  readonly profileReads = new ProfileReads();
  private view?: Profile;

  /** The run's profile with the scenario's own choices in front; every value read is recorded in profileReads. */
  get profile(): Profile {
    this.view ??= profileView(runProfile(), this.profileReads, this.overrides);
    return this.view;
  }

  /**
   * The step being run (set by the BeforeStep hook in steps/support/parameters.ts), so that a
   * bad value in a feature file is reported at its file and line.
   */
  currentStep?: { uri: string; line: number; text: string };

  /** `features/x.feature:12: step "Given ..."`: where a value written in a step came from. */
  get stepWhere(): string {
    const s = this.currentStep;
    return s ? `${s.uri}:${s.line}: step "${s.text}"` : 'step';
  }

  overridePolicy(dim: string, choice: string): void {
    if (this.sessionValue) throw new Error('the machine has already booted: state policy choices before the first command');
    const ids = DIMENSIONS.map((x) => x.id);
    const d = DIMENSIONS.find((x) => x.id === dim);
    if (!d) throw new InputError(`${this.stepWhere}: policy dimension`, dim, 'a policy dimension', known(dim, ids));
    const choices = Object.keys(d.choices);
    if (!Object.hasOwn(d.choices, choice)) throw new InputError(`${this.stepWhere}: choice of ${dim}`, choice, `a choice of ${dim}`, known(choice, choices));
    this.overrides[dim] = choice;
    this.view = undefined;
  }

  /**
   * The platform being described by Given steps, as a platform-file document. The machine
   * boots lazily, the first time a step needs it, so later Givens can still adjust the
   * platform (command line, kconfig, extra ranges).
   */
  private platformDoc?: Record<string, unknown>;
  private platformSource = 'scenario platform';

  /** Start from a preset platform file. */
  usePreset(name: string): void {
    const file = path.join(PRESET_DIR, `${name}.yaml`);
    if (!presetTexts.has(file)) presetTexts.set(file, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);
    const text = presetTexts.get(file);
    if (text == null) {
      throw new InputError(`${this.stepWhere}: platform`, name, 'a platform preset', known(name, presetNames()));
    }
    // The document is copied only when a step changes it (adjustPlatform).
    this.presetText = text;
    this.platformDoc = undefined;
    this.platformSource = `scenario platform based on platforms/${name}.yaml`;
  }

  /** The text of the preset the platform is, while no step has changed it. */
  private presetText?: string;

  /** Start from a platform document built by a step. */
  useDoc(doc: Record<string, unknown>, source: string): void {
    this.platformDoc = doc;
    this.presetText = undefined;
    this.platformSource = source;
  }

  /** Change the platform before boot; refuses once the machine is running. */
  adjustPlatform(change: (doc: Record<string, unknown>) => void): void {
    if (this.sessionValue) throw new Error('the machine has already booted: describe the platform before the first command');
    if (this.presetText !== undefined) {
      this.platformDoc = parsePreset(this.presetText);
      this.presetText = undefined;
    }
    if (!this.platformDoc) throw new Error('no platform yet: start the scenario with a "Given the <platform> machine" step');
    change(this.platformDoc);
  }

  get session(): Session {
    if (!this.sessionValue) {
      let p: Platform;
      if (this.presetText !== undefined) p = presetPlatform(this.presetText, this.platformSource);
      else if (!this.platformDoc) throw new Error('no machine yet: start the scenario with a "Given the <platform> machine" step');
      else p = parsePlatformCached(this.platformDoc, this.platformSource);
      this.sessionValue = new Session(new Machine({ platform: p, profile: this.profile }));
    }
    return this.sessionValue;
  }

  get machine(): Machine {
    return this.session.machine;
  }

  /** The session if the machine has booted, without booting it (read-only; for After hooks). */
  get bootedSession(): Session | undefined {
    return this.sessionValue;
  }

  /** Run a guest or monitor line as set-up; a failure here is a broken precondition. */
  /** Parse and run a line a step wrote; a malformed line is reported at the step. */
  private runStepLine(line: string): LineResult | null {
    try {
      return this.session.runText(line, 'step');
    } catch (e) {
      if (e instanceof ScriptError) throw new InputError(`${this.stepWhere}: command`, line, 'a command the shell accepts', e.detail);
      throw e;
    }
  }

  setup(line: string): LineResult {
    const r = this.runStepLine(line);
    if (!r) throw new Error(`empty command in a Given step: ${JSON.stringify(line)}`);
    if (r.status !== 0) throw new Error(`set-up command failed (status ${r.status}):\n${r.transcript.join('\n')}`);
    return r;
  }

  /** MemTotal and MemFree (kB) just before the action, for "grows by" assertions. */
  before?: { memTotalKb: number; memFreeKb: number };

  meminfoKb(field: string): number {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(this.read('/proc/meminfo'));
    if (!m) throw new Error(`/proc/meminfo has no ${field} line`);
    return Number(m[1]);
  }

  /** Run the scenario's action and remember its result and the log position before it. */
  act(line: string): LineResult {
    this.logMark = this.machine.log.nextSeq;
    this.before = { memTotalKb: this.meminfoKb('MemTotal'), memFreeKb: this.meminfoKb('MemFree') };
    const r = this.runStepLine(line);
    if (!r) throw new Error(`empty command in a When step: ${JSON.stringify(line)}`);
    this.last = r;
    return r;
  }

  /** Kernel log lines since the action started (all levels that were recorded). */
  newLog(): string[] {
    return this.machine.log.since(this.logMark).map((r) => r.text);
  }

  read(path: string): string {
    const v = this.session.vfs.read(path);
    if (typeof v === 'number') throw new Error(`cannot read ${path}: errno ${v}`);
    return v;
  }
}

setWorldConstructor(MemWorld);
