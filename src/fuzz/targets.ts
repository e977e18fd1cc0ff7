// Which profile × platform pairs the fuzzer runs, and what it expects of each.
//
// A profile guards on a platform when the policy invariants it promises there are checked:
// on the TDX hosts (x86-tdx-cxl, x86-tdx-cxl-ram) every tdx-hotplug-guard but `owner`; on
// arm64-mte-cxl every mte-hotplug-guard but `assume-taggable` (each within its scope, see
// src/invariants/mte.ts); qemu-q35 has neither TDX nor MTE and is fuzzed for the structural
// invariants under the default profile. The structural invariants are checked everywhere.
// The documented failures (the threads' warnings) are the pairs where the profile does not
// guard: `owner` on a TDX host, `assume-taggable` on arm64.

import { loadProfile, profileNames, DEFAULT_PROFILE, Profile } from '../policy/profiles';
import type { FuzzTarget } from './run';

export const TDX_PLATFORMS = ['x86-tdx-cxl', 'x86-tdx-cxl-ram'];
export const MTE_PLATFORMS = ['arm64-mte-cxl'];
export const STRUCTURAL_PLATFORMS = ['qemu-q35'];

/** The two failures the threads warn about, hunted by `npm run fuzz -- --warned`. */
export const WARNED: Array<{ profile: string; platform: string; why: string }> = [
  { profile: 'seed-004-v6', platform: 'x86-tdx-cxl', why: 'tdx-hotplug-guard owner: a non-TDX page reaches the buddy after TDX initialization (S004 v6, TDX-AFTERINIT)' },
  { profile: 'linux-latest', platform: 'arm64-mte-cxl', why: 'mte-hotplug-guard assume-taggable: an untaggable page reaches the buddy with MTE on (S000, MTE-BUDDY)' },
];

/** Does the profile promise its policy invariants on this platform? */
export function guards(profile: Profile, platform: string): boolean {
  if (TDX_PLATFORMS.includes(platform)) return profile.policy['tdx-hotplug-guard'] !== 'owner';
  if (MTE_PLATFORMS.includes(platform)) return profile.policy['mte-hotplug-guard'] !== 'assume-taggable';
  return true;
}

const ALL_PLATFORMS = [...TDX_PLATFORMS, ...MTE_PLATFORMS, ...STRUCTURAL_PLATFORMS];

/**
 * Targets for profiles: the platforms each guards on (structural platforms only for the
 * default profile unless named), or with `expect`, the platforms where it does not guard.
 */
export function targetsFor(profiles: string[], opts: { platform?: string; expect?: boolean } = {}): FuzzTarget[] {
  const out: FuzzTarget[] = [];
  for (const name of profiles) {
    const profile = loadProfile(name);
    const platforms = opts.platform ? [opts.platform] : ALL_PLATFORMS.filter((p) => !STRUCTURAL_PLATFORMS.includes(p) || name === DEFAULT_PROFILE);
    for (const platform of platforms) {
      const g = guards(profile, platform);
      if (opts.expect ? !g : g) out.push({ profile, platform, kind: opts.expect ? 'expect' : 'guarding' });
    }
  }
  return out;
}

/** Every profile on every platform it guards (the structural-only qemu-q35 under the default profile). */
export function allGuardingTargets(platform?: string): FuzzTarget[] {
  return targetsFor(profileNames(), { platform }).filter((t) => !STRUCTURAL_PLATFORMS.includes(t.platform) || t.profile.name === DEFAULT_PROFILE);
}

export function warnedTargets(): FuzzTarget[] {
  return WARNED.map((w) => ({ profile: loadProfile(w.profile), platform: w.platform, kind: 'expect' as const }));
}
