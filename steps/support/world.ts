// The World: one fresh Machine and shell Session per scenario, booted under the profile the
// run was started with (MEMCONFORM_PROFILE). Steps reach the model only through the Session:
// guest commands, monitor commands, and the files they read and write.

import { setWorldConstructor, World, IWorldOptions } from '@cucumber/cucumber';
import { Machine } from '../../src/machine';
import { Session, LineResult } from '../../src/shell/session';
import { loadProfile, DEFAULT_PROFILE, Profile } from '../../src/policy/profiles';
import { DIMENSIONS } from '../../src/policy/dimensions';
import { parsePlatform, PRESET_DIR } from '../../src/platform/load';
import { parse, stringify } from 'yaml';
import * as fs from 'fs';
import * as path from 'path';

let cachedProfile: Profile | undefined;

export function runProfile(): Profile {
  if (!cachedProfile) cachedProfile = loadProfile(process.env.MEMCONFORM_PROFILE || DEFAULT_PROFILE);
  return cachedProfile;
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

  get profile(): Profile {
    const p = runProfile();
    if (!Object.keys(this.overrides).length) return p;
    return { ...p, name: `${p.name}+scenario`, policy: { ...p.policy, ...this.overrides } };
  }

  overridePolicy(dim: string, choice: string): void {
    if (this.sessionValue) throw new Error('the machine has already booted: state policy choices before the first command');
    const d = DIMENSIONS.find((x) => x.id === dim);
    if (!d) throw new Error(`unknown policy dimension "${dim}"; known: ${DIMENSIONS.map((x) => x.id).join(', ')}`);
    if (!(choice in d.choices)) throw new Error(`"${choice}" is not a choice of ${dim}; expected one of ${Object.keys(d.choices).join(', ')}`);
    this.overrides[dim] = choice;
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
    if (!fs.existsSync(file)) {
      const known = fs.readdirSync(PRESET_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
      throw new Error(`platform "${name}" is not a preset; known presets: ${known.join(', ')}`);
    }
    this.platformDoc = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    this.platformSource = `scenario platform based on platforms/${name}.yaml`;
  }

  /** Start from a platform document built by a step. */
  useDoc(doc: Record<string, unknown>, source: string): void {
    this.platformDoc = doc;
    this.platformSource = source;
  }

  /** Change the platform before boot; refuses once the machine is running. */
  adjustPlatform(change: (doc: Record<string, unknown>) => void): void {
    if (this.sessionValue) throw new Error('the machine has already booted: describe the platform before the first command');
    if (!this.platformDoc) throw new Error('no platform yet: start the scenario with a "Given the <platform> machine" step');
    change(this.platformDoc);
  }

  get session(): Session {
    if (!this.sessionValue) {
      if (!this.platformDoc) throw new Error('no machine yet: start the scenario with a "Given the <platform> machine" step');
      const p = parsePlatform(stringify(this.platformDoc), this.platformSource);
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
  setup(line: string): LineResult {
    const r = this.session.runText(line, 'step');
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
    const r = this.session.runText(line, 'step');
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
