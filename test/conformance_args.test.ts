import { expect } from 'chai';
import { DEFAULT_FEATURES, DEFAULT_STEPS, parseConformanceArgs, resolveProfile, UsageError } from '../src/report/conformance_args';

// Collects commander's output instead of printing it.
function quiet() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

function usageError(argv: string[]): { error: UsageError; out: string; err: string } {
  const q = quiet();
  try {
    parseConformanceArgs(argv, q.output);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return { error: e as UsageError, out: q.out.join(''), err: q.err.join('') };
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('conformance command line', () => {
  it('defaults to the proposed profile, all features, all steps, reports/, HTML on', () => {
    expect(parseConformanceArgs([])).to.deep.equal({
      profile: 'proposed',
      tags: undefined,
      paths: DEFAULT_FEATURES,
      require: DEFAULT_STEPS,
      reportsDir: 'reports',
      html: true,
      parallel: 0,
      order: 'defined',
    });
    expect(DEFAULT_FEATURES).to.deep.equal(['features/**/*.feature']);
    expect(DEFAULT_STEPS).to.deep.equal(['steps/**/*.ts']);
  });

  it('passes --profile, --tags and feature paths through', () => {
    const a = parseConformanceArgs(['--profile', 'linux-6.8', '--tags', '@req:HP-BLOCKS and not @slow', 'features/hotplug', 'x.feature:12']);
    expect(a.profile).to.equal('linux-6.8');
    expect(a.tags).to.equal('@req:HP-BLOCKS and not @slow');
    expect(a.paths).to.deep.equal(['features/hotplug', 'x.feature:12']);
    expect(parseConformanceArgs(['--profile=linux-6.8']).profile).to.equal('linux-6.8');
  });

  it('replaces the step globs with repeated --require, and takes --reports and --no-html', () => {
    const a = parseConformanceArgs(['--require', 'a/**/*.ts', '--require', 'b.ts', '--reports', '/tmp/r', '--no-html']);
    expect(a.require).to.deep.equal(['a/**/*.ts', 'b.ts']);
    expect(a.reportsDir).to.equal('/tmp/r');
    expect(a.html).to.equal(false);
  });

  it('takes --parallel N and --order defined|reverse|random[:SEED], refusing anything else with exit code 2', () => {
    const a = parseConformanceArgs(['--parallel', '2', '--order', 'random:42']);
    expect(a.parallel).to.equal(2);
    expect(a.order).to.equal('random:42');
    expect(parseConformanceArgs(['--order', 'random']).order).to.equal('random');
    expect(parseConformanceArgs(['--order', 'reverse']).order).to.equal('reverse');
    const parallel = usageError(['--parallel', 'two']);
    expect(parallel.error.exitCode).to.equal(2);
    expect(parallel.err).to.match(/--parallel <n>' argument 'two' is invalid\. expected a number of worker processes from 0 to 64/);
    const order = usageError(['--order', 'shuffled']);
    expect(order.error.exitCode).to.equal(2);
    expect(order.err).to.match(/--order <order>' argument 'shuffled' is invalid\. expected "defined", "reverse", "random" or "random:SEED"/);
  });

  it('checks --tags with cucumber\'s parser: a malformed expression is a usage error naming the option', () => {
    expect(parseConformanceArgs(['--tags', '@req:HP-BLOCKS and not (@epic:tdx or @slow)']).tags).to.equal('@req:HP-BLOCKS and not (@epic:tdx or @slow)');
    const bad = usageError(['--tags', '@req:HP-BLOCKS and']);
    expect(bad.error.exitCode).to.equal(2);
    expect(bad.err).to.match(/--tags <expression>' argument '@req:HP-BLOCKS and' is invalid\. expected a tag expression such as "@req:HP-BLOCKS"/);
    expect(bad.err).to.not.match(/\n\s+at /);
  });

  it('refuses unknown options and missing values with exit code 2', () => {
    const unknown = usageError(['--profiel', 'x']);
    expect(unknown.error.exitCode).to.equal(2);
    expect(unknown.error.printed).to.equal(true);
    expect(unknown.err).to.match(/unknown option '--profiel'/);
    expect(usageError(['--profile']).error.exitCode).to.equal(2);
  });

  it('answers --help with exit code 0', () => {
    const help = usageError(['--help']);
    expect(help.error.exitCode).to.equal(0);
    expect(help.out).to.match(/--profile <name>/).and.match(/--tags <expression>/);
  });

  it('loads a known profile and refuses an unknown one with the ProfileError message (exit 2)', () => {
    expect(resolveProfile('linux-6.8').name).to.equal('linux-6.8');
    try {
      resolveProfile('linux-9.9');
      expect.fail('resolveProfile accepted an unknown profile');
    } catch (e) {
      expect(e).to.be.instanceOf(UsageError);
      const u = e as UsageError;
      expect(u.exitCode).to.equal(2);
      expect(u.printed).to.equal(false);
      expect(u.message).to.match(/^--profile: profile "linux-9.9" does not exist; known profiles: .*linux-latest.* \(did you mean "linux-6\.8"\?\)$/);
    }
  });
});
