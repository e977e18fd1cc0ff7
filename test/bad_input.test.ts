// Bad input, class by class: every user mistake gets one clear message naming the input, the
// expected form and where it came from (file:line for files, the step for feature files, the
// option for command lines), exit status 2 for the command-line tools, and no stack trace.
// One case per class of input spawns the real entry point (bin/memconform.js,
// scripts/conformance.ts; all at once), the others call the same code in-process; the step
// cases run one fixture feature (test/fixtures/bad-input/steps.feature) through
// `npm run conformance` with the real step definitions.

import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as memconformMain } from '../src/cli/main';
import { parseConformanceArgs, UsageError } from '../src/report/conformance_args';
import { parsePlatform } from '../src/platform/load';
import { parseProfile, profileFromText } from '../src/policy/profiles';
import { parseAddress, parseNodeId, parseNodeList, parseRange, parseSize } from '../src/util/units';
import { readMessages, scenarioResults, ScenarioResult } from '../src/report/results';

const ROOT = path.resolve(__dirname, '..');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const memconform = (args: string[], stdin = '') => run(['bin/memconform.js', ...args], stdin);

/** memconform in this process, for a script file (no stdin): status and standard error. */
async function memconformHere(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await memconformMain(['node', 'memconform', ...args], { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { status, stdout, stderr };
}

/** `npm run conformance` argument errors, in this process: what commander prints, and the exit code. */
function conformanceArgs(argv: string[]): Run {
  let stderr = '';
  try {
    parseConformanceArgs(argv, { out: () => undefined, err: (s) => (stderr += s) });
  } catch (e) {
    if (e instanceof UsageError) return { status: e.exitCode, stdout: '', stderr };
    throw e;
  }
  return { status: 0, stdout: '', stderr };
}
const conformance = (args: string[]) => run(['-r', 'ts-node/register/transpile-only', 'scripts/conformance.ts', ...args]);

/** One clean line (or a line and the script line it quotes), no stack trace, exit 2. */
function expectUsageError(r: Run, message: RegExp): void {
  expect(r.status, r.stderr).to.equal(2);
  expect(r.stderr).to.match(message);
  expect(r.stderr).to.not.match(/\n\s+at /);
  expect(r.stderr).to.not.match(/^\s*at .*\(.*:\d+:\d+\)$/m);
}

// A valid platform file to break in small ways (a copy of the smallest preset).
const Q35 = fs.readFileSync(path.join(ROOT, 'platforms/qemu-q35.yaml'), 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('bad input', function () {
  this.timeout(120_000);
  this.slow(20_000);

  let tmp: string;
  const cli: Record<string, Run> = {};
  let steps: Map<string, ScenarioResult>;
  let stepRun: Run;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-bad-input-'));
    const typo = path.join(tmp, 'typo.yaml');
    fs.writeFileSync(typo, Q35.replace('dimm_slots: 4', 'dimm_slot: 4'));
    const script = (name: string, text: string) => {
      fs.writeFileSync(path.join(tmp, name), text);
      return path.join(tmp, name);
    };
    const reports = path.join(tmp, 'reports');
    // The spawned ones at once: each is a process that spends most of its time starting up.
    const spawned: Record<string, Promise<Run>> = {
      size: memconform(['shell', '-'], 'memhold 12Q\n'),
      profile: memconform(['shell', '--profile', 'linux-9.9', '-'], ''),
      platformFile: memconform(['shell', '--platform', typo, '-'], ''),
      script: memconform(['shell', script('script.sh', '# a comment\ncat /proc/iomem\nfrobnicate now\n')]),
      conformanceProfile: conformance(['--profile', 'nope']),
    };
    const stepJob = conformance(['--reports', reports, '--no-html', 'test/fixtures/bad-input/steps.feature']);
    cli.address = await memconformHere(['shell', script('address.sh', 'memhold 4M --at 0xZZ\n')]);
    cli.node = await memconformHere(['shell', script('node.sh', 'td create tdx1 --memory 1G --membind 1,x\n')]);
    cli.platform = await memconformHere(['shell', '--platform', 'qemu-q53', script('empty.sh', '')]);
    cli.noScript = await memconformHere(['shell', path.join(tmp, 'missing.sh')]);
    cli.option = await memconformHere(['shell', '--platfrom', 'qemu-q35', script('empty.sh', '')]);
    cli.conformanceTags = conformanceArgs(['--tags', '@req:HP-BLOCKS and']);
    cli.conformanceParallel = conformanceArgs(['--parallel', 'two']);
    for (const [k, p] of Object.entries(spawned)) cli[k] = await p;
    stepRun = await stepJob;
    const results = scenarioResults(readMessages(path.join(reports, 'cucumber-messages.ndjson')));
    steps = new Map(results.map((r) => [r.name, r]));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** The failure of a fixture scenario: a harness error (not a violated requirement) at the step that holds the bad value. */
  function stepFailure(scenario: string): string {
    const r = steps.get(scenario);
    expect(r, `scenario "${scenario}" ran`).to.not.equal(undefined);
    expect(r!.status, scenario).to.equal('broken');
    return r!.failure!.message;
  }

  describe('sizes', () => {
    it('in a shell script: the line, the option and the expected form', () => {
      expectUsageError(cli.size, /^memconform: <stdin>:1: memhold SIZE: "12Q" is not a size such as "64 GiB", "128M", "4 KiB" or "0x8000000" \(unknown unit "Q"\)/);
    });
    it('in a step: file:line, the step, {size}', () => {
      expect(stepFailure('a size with a decimal unit')).to.equal(
        'test/fixtures/bad-input/steps.feature:8: step "When the hypervisor hot-plugs a 1 GB DIMM "d1"": {size}: "1 GB" is not a size such as "64 GiB", "128M", "4 KiB" or "0x8000000" ("GB" is ambiguous; write GiB or G)',
      );
    });
    it('in a platform file: file:line and field', () => {
      const text = Q35.replace('dimm_alignment: 2M', 'dimm_alignment: 2 MB');
      expect(() => parsePlatform(text, 'p.yaml')).to.throw(new RegExp(`^p\\.yaml:${lineOf(text, 'dimm_alignment')}: dimm_alignment: "2 MB" is not a size such as 64G or 0x8000000`));
    });
    it('parseSize refuses what a person might mistype, saying why', () => {
      expect(() => parseSize('1.3 KiB', 'x')).to.throw(/^x: "1\.3 KiB" is not a size .*\(not a whole number of bytes\)$/);
      expect(() => parseSize('9P', 'x')).to.throw(/at most 2\^53 - 1/);
      expect(() => parseSize('', 'x')).to.throw(/^x: "" is not a size/);
    });
  });

  describe('addresses', () => {
    it('in a shell script', () => {
      expectUsageError(cli.address, /^memconform: \S+address\.sh:1: memhold --at: "0xZZ" is not a physical address such as 0x100000000 or 0x1_0000_0000/);
    });
    it('in a step: beyond what the model keeps exact', () => {
      expect(stepFailure('an address beyond 2^53')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:14: step "Then no CXL region decodes 0x20_0000_0000_0000": \{address\}: "0x20_0000_0000_0000" is not at most 2\^53 - 1/,
      );
    });
    it('parseAddress', () => {
      expect(() => parseAddress('0x1g', 'x')).to.throw(/^x: "0x1g" is not a physical address/);
    });
  });

  describe('ranges', () => {
    it('in a step: end before start', () => {
      expect(stepFailure('a range that ends before it starts')).to.equal(
        'test/fixtures/bad-input/steps.feature:19: step "Then no memory block covers 0x200000-0x1fffff": {range}: "0x200000-0x1fffff" is not an inclusive range such as 0x100000-0x7fffffff (end before start)',
      );
    });
    it('in a platform file', () => {
      const text = Q35.replace('0x100000-0x3ffdefff', '0x100000..0x3ffdefff');
      expect(() => parsePlatform(text, 'p.yaml')).to.throw(
        new RegExp(`^p\\.yaml:${lineOf(text, '0x100000..')}: memory_map\\.4\\.range: "0x100000\\.\\.0x3ffdefff" is not an inclusive range such as 0x100000-0x7fffffff$`),
      );
    });
    it('parseRange', () => {
      expect(() => parseRange('0x2000', 'x')).to.throw(/^x: "0x2000" is not an inclusive range/);
    });
  });

  describe('node ids', () => {
    it('in a shell script: a node list with something that is not a node', () => {
      expectUsageError(cli.node, /^memconform: \S+node\.sh:1: td create --membind: "1,x" is not a node list such as "0", "0,2" or "0-3"/);
    });
    it('in a step', () => {
      expect(stepFailure('a node id beyond MAX_NUMNODES')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:23: step "And the firmware describes the hot-pluggable range 0x400000000-0x43fffffff on node 5000": node: "5000" is not a node id from 0 to 1023$/,
      );
    });
    it('in a platform file', () => {
      const text = Q35.replace('{ range: 0x100000000-0x3bfffffff, node: 0 }', '{ range: 0x100000000-0x3bfffffff, node: -1 }');
      expect(() => parsePlatform(text, 'p.yaml')).to.throw(new RegExp(`^p\\.yaml:${lineOf(text, 'node: -1')}: hotplug\\.0\\.node: expected a number >= 0 \\(got -1\\)$`));
    });
    it('parseNodeId and parseNodeList', () => {
      expect(parseNodeList('2,0-1,2', 'x')).to.deep.equal([2, 0, 1]);
      expect(() => parseNodeId('1024', 'x')).to.throw(/^x: "1024" is not a node id from 0 to 1023$/);
      expect(() => parseNodeList('', 'x')).to.throw(/\(empty\)$/);
      expect(() => parseNodeList('3-1', 'x')).to.throw(/\(3-1 ends before it starts\)$/);
    });
  });

  describe('policy dimensions and choices', () => {
    const profile = (choices: string) => `name: mine\ndescription: a test profile\nextends: linux-6.8\nchoices:\n${choices}`;
    it('in a profile file: the key\'s line, the known dimensions, a suggestion', () => {
      expect(() => parseProfile(profile('  numa-crypto-sysfs: present\n  tdx-hotplug-gaurd: owner\n'), 'profiles/mine.yaml')).to.throw(
        /^profiles\/mine\.yaml:6: choices: unknown policy dimension "tdx-hotplug-gaurd" \(did you mean "tdx-hotplug-guard"\?\); known: hotplug-default-online, /,
      );
      expect(() => parseProfile(profile('  tdx-hotplug-guard: ownr\n'), 'profiles/mine.yaml')).to.throw(
        /^profiles\/mine\.yaml:5: choices\.tdx-hotplug-guard: "ownr" is not a choice of tdx-hotplug-guard \(did you mean "owner"\?\); expected one of owner, reject-platform, /,
      );
    });
    it('in a step', () => {
      expect(stepFailure('a misspelt policy dimension')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:29: step "And the tdx-hotplug-gaurd policy is owner": policy dimension: "tdx-hotplug-gaurd" is not a policy dimension \(did you mean "tdx-hotplug-guard"\?; known: hotplug-default-online, /,
      );
      expect(stepFailure('a choice the dimension does not have')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:35: step "And the tdx-hotplug-guard policy is ownr": choice of tdx-hotplug-guard: "ownr" is not a choice of tdx-hotplug-guard \(did you mean "owner"\?; known: owner, reject-platform, /,
      );
      expect(stepFailure('a choice named after a property every object has')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:64: step "And the tdx-hotplug-guard policy is constructor": choice of tdx-hotplug-guard: "constructor" is not a choice of tdx-hotplug-guard/,
      );
    });
  });

  describe('profile names', () => {
    it('memconform shell --profile', () => {
      expectUsageError(cli.profile, /^memconform: --profile: profile "linux-9\.9" does not exist; known profiles: linux-6\.8, .* \(did you mean "linux-6\.8"\?\)\n$/);
    });
    it('npm run conformance -- --profile', () => {
      expectUsageError(cli.conformanceProfile, /^conformance: --profile: profile "nope" does not exist; known profiles: /);
    });
    it('extends: in a profile file', () => {
      expect(() => profileFromText('name: mine\ndescription: d\nextends: linux-6.9\nchoices: {}\n', 'profiles/mine.yaml', 'mine')).to.throw(
        /^profiles\/mine\.yaml:3: extends: profile "linux-6\.9" does not exist; known profiles: .* \(did you mean "linux-6\.8"\?\)$/,
      );
    });
  });

  describe('platform names', () => {
    it('memconform shell --platform', () => {
      expectUsageError(cli.platform, /^memconform: --platform: platform "qemu-q53" is neither a preset \(arm64-mte-cxl, qemu-q35, .*\) nor a readable file \(did you mean "qemu-q35"\?\)\n$/);
    });
    it('in a step', () => {
      expect(stepFailure('a platform preset that does not exist')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:40: step "Given the qemu-q53 machine": platform: "qemu-q53" is not a platform preset \(did you mean "qemu-q35"\?; known: arm64-mte-cxl, qemu-q35, /,
      );
    });
  });

  describe('platform files', () => {
    it('memconform shell --platform FILE with a misspelt field: the key\'s line and a suggestion', () => {
      const line = lineOf(Q35, 'dimm_slots: 4');
      expectUsageError(cli.platformFile, new RegExp(`^memconform: \\S+typo\\.yaml:${line}: unknown field "dimm_slot" \\(did you mean "dimm_slots"\\?\\); expected one of name, description, arch, `));
    });
    it('a value outside an enumeration, each occurrence at its own line', () => {
      const text = Q35.replace(/type: usable/g, 'type: useable');
      const err = (() => {
        try {
          parsePlatform(text, 'p.yaml');
        } catch (e) {
          return (e as Error).message.split('\n');
        }
        return [];
      })();
      expect(err).to.have.lengthOf(2);
      expect(err[0]).to.equal(
        `p.yaml:${lineOf(text, 'useable')}: memory_map.1.type: expected one of usable, reserved, acpi, nvs, unusable, pmem, pram, soft-reserved (did you mean "usable"?) (got "useable")`,
      );
    });
    it('a missing field, a wrong type, a YAML syntax error, not a mapping', () => {
      expect(() => parsePlatform(Q35.replace(/^arch: .*\n/m, ''), 'p.yaml')).to.throw(/^p\.yaml:\d+: arch: missing; expected one of x86_64, arm64$/);
      expect(() => parsePlatform(Q35.replace('cpus: 2', 'cpus: two'), 'p.yaml')).to.throw(new RegExp(`^p\\.yaml:${lineOf(Q35, 'cpus: 2')}: cpus: expected a number \\(got "two"\\)$`));
      expect(() => parsePlatform(Q35.replace('nodes: [0]', 'nodes: [0'), 'p.yaml')).to.throw(/^p\.yaml:\d+: YAML syntax error: /);
      expect(() => parsePlatform('- a\n', 'p.yaml')).to.throw(/^p\.yaml:1: a platform file is a mapping of fields .*; got a list$/);
    });
    it('a platform document a scenario built names no line (there is no file to point into)', () => {
      expect(() => parsePlatform(Q35.replace('cpus: 2', 'cpus: two'), 'scenario platform', undefined, { lines: false })).to.throw(/^scenario platform: cpus: expected a number/);
    });
    it('a memory map row in a step', () => {
      expect(stepFailure('a memory map row with a misspelt type')).to.equal(
        'test/fixtures/bad-input/steps.feature:55: step "Given a bare-metal x86_64 machine with this memory map:": memory map row 2, type: "useable" is not an e820 type (usable, reserved, acpi, nvs, unusable, pmem, pram, soft-reserved)',
      );
    });
  });

  describe('profile files', () => {
    it('an unknown field, a wrong type, a name that is not the file\'s, a YAML syntax error', () => {
      expect(() => parseProfile('name: mine\ndescripton: d\nchoices: {}\n', 'profiles/mine.yaml')).to.throw(
        /^profiles\/mine\.yaml:2: unknown field "descripton" \(did you mean "description"\?\); expected one of name, description, extends, release, choices$/m,
      );
      expect(() => parseProfile('name: mine\ndescription: d\nchoices: [a]\n', 'profiles/mine.yaml')).to.throw(/^profiles\/mine\.yaml:3: choices: expected a mapping \(got a list\)$/);
      expect(() => profileFromText('name: yours\ndescription: d\nextends: linux-6.8\nchoices: {}\n', 'profiles/mine.yaml', 'mine')).to.throw(
        /^profiles\/mine\.yaml:1: name: "yours" does not match the file name "mine"$/,
      );
      expect(() => parseProfile('name: mine\nchoices: {a: [}\n', 'profiles/mine.yaml')).to.throw(/^profiles\/mine\.yaml:2: YAML syntax error: /);
    });
  });

  describe('shell scripts', () => {
    it('an unknown command: the script\'s file and line, the line itself, exit 2, nothing run', () => {
      expectUsageError(cli.script, /^memconform: \S+script\.sh:3: unknown command "frobnicate" \(guest commands: cat, .*\)\n {2}3 \| frobnicate now\n$/);
      expect(cli.script.stdout).to.equal('');
    });
    it('a script file that does not exist: the argument and the expected form', () => {
      expectUsageError(cli.noScript, /^memconform: shell \[script\]: "\S+missing\.sh" is not a script file, or - for standard input \(no such file\)\n$/);
    });
    it('a command line a step runs', () => {
      expect(stepFailure('a command the shell does not know')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:46: step "When the administrator runs "frobnicate now"": command: "frobnicate now" is not a command the shell accepts \(unknown command "frobnicate"/,
      );
    });
  });

  describe('Gherkin step parameters', () => {
    it('every bad value in the fixture is a harness error at its step, with no stack trace in the output', () => {
      expect(stepRun.status).to.equal(1);
      expect([...steps.values()].map((r) => r.status)).to.deep.equal(Array(steps.size).fill('broken'));
      expect(steps.size).to.equal(11);
      expect(stepRun.stdout).to.not.match(/^\s+at .*:\d+:\d+\)?$/m);
    });
    it('{errno}', () => {
      expect(stepFailure('an errno name that does not exist')).to.match(
        /^test\/fixtures\/bad-input\/steps\.feature:52: step "Then the write fails with EWHAT": \{errno\}: "EWHAT" is not an errno name such as EPERM or EINVAL \(known: EPERM, /,
      );
    });
  });

  describe('command-line options', () => {
    it('an unknown option of memconform shell: one line, exit 2', () => {
      expectUsageError(cli.option, /^error: unknown option '--platfrom'/);
    });
    it('npm run conformance -- --tags with a malformed expression', () => {
      expectUsageError(cli.conformanceTags, /^error: option '--tags <expression>' argument '@req:HP-BLOCKS and' is invalid\. expected a tag expression such as "@req:HP-BLOCKS"/);
    });
    it('npm run conformance -- --parallel that is not a number', () => {
      expectUsageError(cli.conformanceParallel, /^error: option '--parallel <n>' argument 'two' is invalid\. expected a number of worker processes from 0 to 64/);
    });
  });
});
