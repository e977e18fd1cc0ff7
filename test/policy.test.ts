// The policy layer: the dimensions a policy chooses along, and profiles (named bundles of
// choices, with inheritance) as the model and every command read them. These are the unit
// tests of the mutation run's unit pass (stryker.unit.config.json): the Gherkin features read
// one profile once per run and cannot reach the loader's other paths.

import { expect } from 'chai';
import { DIMENSIONS, dimension } from '../src/policy/dimensions';
import { DEFAULT_PROFILE, loadProfile, profileFromText, profileNames, ProfileError } from '../src/policy/profiles';

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

  it('inheritance that loops back is refused', () => {
    const text = 'name: linux-6.8\ndescription: d\nextends: proposed\nchoices: {}\n';
    expect(() => profileFromText(text, 'profiles/linux-6.8.yaml', 'linux-6.8', ['proposed'])).to.throw(ProfileError, /inheritance loops: proposed -> linux-6\.8 -> proposed/);
    expect(() => loadProfile('proposed', ['proposed'])).to.throw(ProfileError, /inheritance loops: proposed -> proposed/);
  });

  it('an unknown profile name, or one that is not a file name, is refused with the known names', () => {
    for (const name of ['linux-9.9', '../profiles/proposed', 'Proposed', '']) {
      expect(() => loadProfile(name), name).to.throw(ProfileError, new RegExp(`^profile "${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" does not exist; known profiles: linux-6\\.8, linux-latest, `));
    }
  });
});
