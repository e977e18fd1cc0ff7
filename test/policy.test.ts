// The policy layer: the dimensions a policy chooses along, and profiles (named bundles of
// choices, with inheritance) as the model and every command read them. These are the unit
// tests of the mutation run's unit pass (stryker.unit.config.json): the Gherkin features read
// one profile once per run and cannot reach the loader's other paths.

import * as fs from 'fs';
import * as path from 'path';
import { expect } from 'chai';
import { DIMENSIONS, dimension } from '../src/policy/dimensions';
import { DEFAULT_PROFILE, loadProfile, parseProfile, profileFromText, profileNames, ProfileError } from '../src/policy/profiles';

const ROOT = path.resolve(__dirname, '..');
/** A profile fixture's text, and the name errors give its file. */
function fixture(name: string): [string, string] {
  const rel = `test/fixtures/policy/${name}.yaml`;
  return [fs.readFileSync(path.join(ROOT, rel), 'utf8'), rel];
}
/** The message of the ProfileError `f` throws (fails when it throws nothing or something else). */
function profileError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(ProfileError);
    return (e as Error).message;
  }
  throw new Error('expected a ProfileError, got none');
}
const KNOWN_PROFILES =
  'linux-6.8, linux-latest, proposed, seed-000, seed-000-mte-arch, seed-000-mte-cxl, seed-000-mte-flag, seed-001-a1, seed-001-a2, seed-002-nomte, seed-004-v6';

const IDS = [
  'hotplug-default-online',
  'hotplug-online-policy',
  'tdx-hotplug-guard',
  'tdx-snapshot-time',
  'tdx-module-init',
  'numa-crypto-sysfs',
  'numa-capability-mismatch',
  'mte-hotplug-guard',
  'mte-hugetlb',
  'kvm-stage2-type',
];

describe('policy dimensions', () => {
  it('are the ten decisions of the threads, each with the choices the model implements', () => {
    expect(DIMENSIONS.map((d) => d.id)).to.deep.equal(IDS);
    expect(Object.keys(dimension('tdx-hotplug-guard').choices)).to.deep.equal([
      'owner',
      'reject-platform',
      'cmr-init-lock',
      'online-notifier',
      'whole-range',
      'whole-range-serialized',
    ]);
    expect(Object.keys(dimension('mte-hotplug-guard').choices)).to.deep.equal(['assume-taggable', 'arch-check', 'cxl-region', 'driver-flag', 'no-mte']);
    expect(Object.keys(dimension('hotplug-default-online').choices)).to.deep.equal(['offline', 'online', 'online_kernel', 'online_movable']);
    expect(Object.keys(dimension('numa-capability-mismatch').choices)).to.deep.equal(['mix', 'discard', 'synthetic-node']);
  });

  it('are the dimensions and choices README.md documents under "Policy profiles"', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const documented: Record<string, string[]> = {};
    for (const m of readme.matchAll(/^\| `([a-z0-9-]+)` \| (.*) \|$/gm)) {
      if (!IDS.includes(m[1])) continue;
      // The choices are the quoted words outside the parenthesized notes.
      documented[m[1]] = [...m[2].replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((c) => c[1]);
    }
    expect(documented).to.deep.equal(Object.fromEntries(DIMENSIONS.map((d) => [d.id, Object.keys(d.choices)])));
  });

  it('an unknown dimension is an error that lists the known ones', () => {
    expect(() => dimension('tdx-guard')).to.throw(`unknown policy dimension "tdx-guard"; known: ${IDS.join(', ')}`);
  });
});

describe('policy profiles', () => {
  it('the default run uses the proposed profile', () => {
    expect(DEFAULT_PROFILE).to.equal('proposed');
    expect(profileNames()).to.include.members(['linux-6.8', 'linux-latest', 'proposed', 'seed-000', 'seed-004-v6']);
    expect(profileNames()).to.deep.equal([...profileNames()].sort());
  });

  it('a profile that extends another inherits every choice it does not set, and its release', () => {
    const base = loadProfile('linux-6.8');
    const p = loadProfile('seed-001-a2');
    expect(p.name).to.equal('seed-001-a2');
    expect(p.extends).to.equal('linux-6.8');
    expect(p.description).to.equal('S001 approach 2, CMR check serialized with module initialization');
    expect(p.own).to.deep.equal({ 'tdx-hotplug-guard': 'cmr-init-lock' });
    expect(p.policy).to.deep.equal({ ...base.policy, 'tdx-hotplug-guard': 'cmr-init-lock' });
    expect(p.release).to.equal('6.8.0');
    expect(loadProfile('seed-000-mte-arch').release).to.equal(loadProfile('linux-latest').release);
  });

  it('a release the profile sets wins over the one it would inherit', () => {
    expect(loadProfile('seed-000').release).to.equal('6.12.0');
    expect(loadProfile('proposed').release).to.equal('7.1.0');
  });

  it('proposed is linux-6.8 with the choices that meet every requirement', () => {
    const p = loadProfile('proposed');
    expect(Object.keys(p.policy).sort()).to.deep.equal([...IDS].sort());
    expect(p.policy).to.include({
      'tdx-hotplug-guard': 'whole-range-serialized',
      'tdx-snapshot-time': 'boot',
      'tdx-module-init': 'kvm-load',
      'numa-crypto-sysfs': 'present',
      'numa-capability-mismatch': 'discard',
      'mte-hotplug-guard': 'no-mte',
      'hotplug-default-online': 'offline',
      'hotplug-online-policy': 'contig-zones',
    });
  });

  it('a profile without a base must choose along every dimension', () => {
    const text = 'name: partial\ndescription: only one choice\nchoices:\n  tdx-hotplug-guard: owner\n';
    expect(() => profileFromText(text, 'profiles/partial.yaml', 'partial')).to.throw(ProfileError, /no choice for hotplug-default-online, hotplug-online-policy, tdx-snapshot-time/);
  });

  it('a complete profile without a base stands for the newest tree unless it names a release', () => {
    const choices = Object.entries(loadProfile('linux-latest').policy)
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('');
    const p = profileFromText(`name: mine\ndescription: d\nchoices:\n${choices}`, 'profiles/mine.yaml', 'mine');
    expect(p.release).to.equal('7.1.0');
    expect(p.extends).to.equal(undefined);
    expect(p.policy).to.deep.equal(loadProfile('linux-latest').policy);
    expect(profileFromText(`name: mine\nrelease: 6.1.0\ndescription: d\nchoices:\n${choices}`, 'profiles/mine.yaml', 'mine').release).to.equal('6.1.0');
  });

  it('inheritance that loops back is refused at the extends: line that closes the loop', () => {
    // linux-6.8 edited to extend proposed, which extends linux-6.8: proposed's line closes it.
    const text = 'name: linux-6.8\ndescription: d\nextends: proposed\nchoices: {}\n';
    expect(profileError(() => profileFromText(text, 'profiles/linux-6.8.yaml', 'linux-6.8'))).to.equal(
      'profiles/proposed.yaml:11: extends: profile inheritance loops: linux-6.8 -> proposed -> linux-6.8',
    );
    // Reached from proposed: linux-6.8's own line closes it.
    expect(profileError(() => profileFromText(text, 'profiles/linux-6.8.yaml', 'linux-6.8', ['proposed']))).to.equal(
      'profiles/linux-6.8.yaml:3: extends: profile inheritance loops: proposed -> linux-6.8 -> proposed',
    );
    const [self, file] = fixture('self-extends');
    expect(profileError(() => profileFromText(self, file, 'self-extends'))).to.equal(
      'test/fixtures/policy/self-extends.yaml:4: extends: profile inheritance loops: self-extends -> self-extends',
    );
    expect(profileError(() => loadProfile('proposed', ['proposed']))).to.equal('profile inheritance loops: proposed -> proposed');
  });

  it('an unknown base is the extending file\'s mistake, at its extends: line', () => {
    const text = '# mine: a profile on a base that does not exist\nname: mine\ndescription: d\nextends: linux-6.9\nchoices: {}\n';
    expect(profileError(() => profileFromText(text, 'profiles/mine.yaml', 'mine'))).to.equal(
      `profiles/mine.yaml:4: extends: profile "linux-6.9" does not exist; known profiles: ${KNOWN_PROFILES} (did you mean "linux-6.8"?)`,
    );
  });

  it('a file whose name: is not its file name is refused at the name: line', () => {
    const text = '# yours\ndescription: d\nname: yours\nextends: linux-6.8\nchoices: {}\n';
    expect(profileError(() => profileFromText(text, 'profiles/mine.yaml', 'mine'))).to.equal('profiles/mine.yaml:3: name: "yours" does not match the file name "mine"');
  });

  it('unknown dimensions and choices are each reported with their line, a suggestion and the expected values', () => {
    const [text, file] = fixture('unknown-choices');
    expect(profileError(() => profileFromText(text, file, 'unknown-choices'))).to.equal(
      [
        `${file}:8: choices: unknown policy dimension "tdx-hotplug-gaurd" (did you mean "tdx-hotplug-guard"?); known: ${IDS.join(', ')}`,
        `${file}:9: choices.mte-hugetlb: "alowed" is not a choice of mte-hugetlb (did you mean "allowed"?); expected one of allowed, refused`,
      ].join('\n'),
    );
  });

  it('a choice must be one of the dimension\'s own, not any property name', () => {
    const text = 'name: mine\ndescription: d\nextends: proposed\nchoices:\n  tdx-hotplug-guard: constructor\n';
    expect(profileError(() => profileFromText(text, 'profiles/mine.yaml', 'mine'))).to.equal(
      'profiles/mine.yaml:5: choices.tdx-hotplug-guard: "constructor" is not a choice of tdx-hotplug-guard; expected one of owner, reject-platform, cmr-init-lock, online-notifier, whole-range, whole-range-serialized',
    );
  });

  it('a name or release not of the expected form is reported with its line and the value written', () => {
    const [text, file] = fixture('bad-fields');
    expect(profileError(() => profileFromText(text, file, 'Unknown_Fields'))).to.equal(
      [
        `${file}:2: name: expected a lower-case name such as linux-latest (got "Unknown_Fields")`,
        `${file}:3: release: expected a kernel release such as 6.8.0 (got "v6.8")`,
      ].join('\n'),
    );
    // Anchored at both ends: no leading dash, nothing after the name.
    for (const name of ['-mine', 'mine_']) {
      expect(profileError(() => parseProfile(`name: ${name}\ndescription: d\nchoices: {}\n`, `profiles/${name}.yaml`)), name).to.equal(
        `profiles/${name}.yaml:1: name: expected a lower-case name such as linux-latest (got "${name}")`,
      );
    }
  });

  it('a release is a uname -r from the start: major.minor, with any number of digits', () => {
    const mine = (release: string) => `name: mine\nextends: proposed\nrelease: ${release}\ndescription: d\nchoices: {}\n`;
    expect(profileFromText(mine('10.1.0'), 'profiles/mine.yaml', 'mine').release).to.equal('10.1.0');
    expect(profileFromText(mine('6.12.0-rc1'), 'profiles/mine.yaml', 'mine').release).to.equal('6.12.0-rc1');
    expect(profileError(() => profileFromText(mine('linux-6.8'), 'profiles/mine.yaml', 'mine'))).to.equal(
      'profiles/mine.yaml:3: release: expected a kernel release such as 6.8.0 (got "linux-6.8")',
    );
    expect(profileError(() => profileFromText(mine('"6"'), 'profiles/mine.yaml', 'mine'))).to.equal(
      'profiles/mine.yaml:3: release: expected a kernel release such as 6.8.0 (got "6")',
    );
    // Unquoted, 6.10 would be the number 6.1: a release must be a string.
    expect(profileError(() => profileFromText(mine('6.10'), 'profiles/mine.yaml', 'mine'))).to.equal('profiles/mine.yaml:3: release: expected a string (got 6.10)');
  });

  it('a YAML syntax error names the file and line', () => {
    expect(profileError(() => profileFromText('name: mine\ndescription: d\nchoices: {a: [}\n', 'profiles/mine.yaml', 'mine'))).to.match(
      /^profiles\/mine\.yaml:3: YAML syntax error: \S/,
    );
  });

  it('a profile error is its message: name ProfileError, and no stack trace when uncaught', () => {
    let caught: unknown;
    try {
      loadProfile('linux-9.9');
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(ProfileError);
    const e = caught as Error;
    expect(e.name).to.equal('ProfileError');
    expect(e.stack).to.equal(`ProfileError: ${e.message}`);
  });

  it('an unknown profile name, or one that is not a file name, is refused with the known names', () => {
    for (const name of ['linux-9.9', '../profiles/proposed', 'linux-6.8/../proposed', 'Proposed', '']) {
      expect(() => loadProfile(name), name).to.throw(ProfileError, new RegExp(`^profile "${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" does not exist; known profiles: linux-6\\.8, linux-latest, `));
    }
    expect(profileError(() => loadProfile('linux-6.9'))).to.equal(`profile "linux-6.9" does not exist; known profiles: ${KNOWN_PROFILES} (did you mean "linux-6.8"?)`);
  });
});
