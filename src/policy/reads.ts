// Which parts of a profile a scenario looked at. The policy matrix runs the same scenarios
// under every profile; a scenario is a fresh machine whose behaviour depends on its feature
// text and on the profile values the model reads, nothing else. So when profile Q agrees with
// profile P on every value a scenario read under P, the scenario under Q takes the same path
// and ends the same way, and its result under P is its result under Q (scripts/matrix.ts).
//
// The record is sound only if every read goes through a view made here: the view's fields are
// getters, so anything that touches a value (a property access, a spread, Object.entries,
// JSON.stringify) records it. The model reads each policy choice at the point where the choice
// decides something, not in constructors, so that a scenario depends only on the choices that
// decided its path.

import type { Profile } from './profiles';

/** A recorded read: `policy.DIM` for a choice, else the Profile field (`name`, `release`...). */
export type ProfileKey = string;

/** The value of a key in a profile, as a view records it. */
export function profileValue(p: Profile, key: ProfileKey): string {
  if (key.startsWith('policy.')) return p.policy[key.slice('policy.'.length)] ?? '';
  const v = (p as unknown as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

export class ProfileReads {
  private readonly seen = new Map<ProfileKey, string>();

  record(key: ProfileKey, value: string): void {
    this.seen.set(key, value);
  }

  /** Every key read, with the value it had, sorted by key. */
  toJSON(): Record<ProfileKey, string> {
    return Object.fromEntries([...this.seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** Does `p` hold the value recorded for every key? Then a run that read only these behaves the same under `p`. */
export function agrees(p: Profile, reads: Readonly<Record<ProfileKey, string>>): boolean {
  for (const [k, v] of Object.entries(reads)) if (profileValue(p, k) !== v) return false;
  return true;
}

/**
 * `profile` as the model sees it, with `overrides` (choices a scenario states for itself) in
 * front: reading a field records it in `reads`, except an overridden choice, which the
 * profile does not decide. With overrides, the name is `NAME+scenario`.
 */
export function profileView(profile: Profile, reads: ProfileReads, overrides: Readonly<Record<string, string>> = {}): Profile {
  const policy: Record<string, string> = {};
  for (const dim of Object.keys(profile.policy)) {
    const get = Object.hasOwn(overrides, dim)
      ? () => overrides[dim]
      : () => {
          const v = profile.policy[dim];
          reads.record(`policy.${dim}`, v);
          return v;
        };
    Object.defineProperty(policy, dim, { get, enumerable: true });
  }
  const overridden = Object.keys(overrides).length > 0;
  const field = <K extends keyof Profile>(key: K, shown: (v: Profile[K]) => Profile[K] = (v) => v) => ({
    enumerable: true,
    get: () => {
      reads.record(key, profileValue(profile, key));
      return shown(profile[key]);
    },
  });
  const view = {} as Profile;
  Object.defineProperties(view, {
    name: field('name', (n) => (overridden ? `${n}+scenario` : n)),
    description: field('description'),
    extends: field('extends'),
    release: field('release'),
    own: field('own'),
    policy: { value: Object.freeze(policy), enumerable: true },
  });
  return Object.freeze(view);
}

// The reads of each scenario of a run, by `uri:line` (the pickle's line: the scenario's, or the
// example row's), for the process that runs cucumber in itself (scripts/matrix-worker.ts).
let recording: Map<string, ProfileReads> | undefined;

/** Start keeping each scenario's reads (forgetting a previous run's). */
export function recordScenarioReads(): void {
  recording = new Map();
}

/** Keep `reads` as the record of scenario `key`, when recording. */
export function scenarioReads(key: string, reads: ProfileReads): void {
  recording?.set(key, reads);
}

/** The reads of each scenario since recordScenarioReads(); stops recording. */
export function takeScenarioReads(): Map<string, Record<ProfileKey, string>> {
  const out = new Map([...(recording ?? [])].map(([k, r]) => [k, r.toJSON()]));
  recording = undefined;
  return out;
}
