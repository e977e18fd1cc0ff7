// memconform: the command-line tool. `shell` boots a model machine and runs a script or an
// interactive session; `platforms` and `profiles` list the presets.

import * as fs from 'fs';
import * as readline from 'readline';
import { Command, CommanderError } from 'commander';
import { Machine } from '../machine';
import { listPresets, loadPlatform, PlatformError } from '../platform/load';
import { DEFAULT_PROFILE, loadProfile, profileNames, ProfileError } from '../policy/profiles';
import { DIMENSIONS } from '../policy/dimensions';
import { ScriptError, Session, commandNames } from '../shell/session';
import { InputError } from '../util/errors';

/** Errors that are the user's to fix: printed as one line, exit status 2, no stack trace. */
function isUserError(e: unknown): e is Error {
  return e instanceof ScriptError || e instanceof PlatformError || e instanceof ProfileError || e instanceof InputError;
}

/** An unknown preset or profile name is the option's mistake: say which option (file errors name the file and line). */
function fromOption<T>(option: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof PlatformError && /^platform( file)? "/.test(e.message)) throw new PlatformError(`${option}: ${e.message}`);
    if (e instanceof ProfileError && /^profile "/.test(e.message)) throw new ProfileError(`${option}: ${e.message}`);
    throw e;
  }
}

async function runShell(script: string | undefined, opts: { platform: string; profile: string; append?: string }, io: Io): Promise<number> {
  const profile = fromOption('--profile', () => loadProfile(opts.profile));
  let platform = fromOption('--platform', () => loadPlatform(opts.platform));
  // --append adds kernel parameters, as QEMU's -append or a boot loader entry would.
  if (opts.append) platform = loadPlatform(opts.platform, { cmdline: `${platform.cmdline} ${opts.append}`.trim() });
  const machine = new Machine({ platform, profile });
  const session = new Session(machine);
  if (script === undefined && process.stdin.isTTY) return interactive(session, io);
  const source = script === undefined || script === '-' ? '<stdin>' : script;
  let text: string;
  if (source === '<stdin>') text = await readStdin();
  else {
    if (!fs.existsSync(source) || !fs.statSync(source).isFile()) {
      throw new InputError('shell [script]', source, 'a script file, or - for standard input', fs.existsSync(source) ? 'not a file' : 'no such file');
    }
    text = fs.readFileSync(source, 'utf8');
  }
  const { transcript, status } = session.runScript(text, source);
  io.out(transcript.join('\n') + (transcript.length ? '\n' : ''));
  return status;
}

async function interactive(session: Session, io: Io): Promise<number> {
  const p = session.machine.platform;
  io.out(`memconform shell: ${p.name} (${p.description}) under profile ${session.machine.profile.name}\n`);
  io.out(`guest commands: ${commandNames().join(', ')}; "(qemu) CMD" for the monitor; exit to quit\n`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '$ ' });
  let status = 0;
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === 'exit') break;
    try {
      const r = session.runText(line, 'stdin');
      if (r) {
        const shown = r.transcript.slice(1);
        if (shown.length) io.out(shown.join('\n') + '\n');
        status = r.status;
      }
    } catch (e) {
      if (e instanceof ScriptError) io.err(e.message.split('\n')[0].replace(/^stdin:1: /, 'memconform: ') + '\n');
      else throw e;
    }
    rl.prompt();
  }
  rl.close();
  return status;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c) => (data += c));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const program = new Command();
  let code = 0;
  program
    .name('memconform')
    .description('Conformance harness for Linux memory hotplug, TDX host and arm64 MTE memory policies')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program
    .command('shell')
    .description('boot a model machine and run a script (a file, - for stdin, or interactive on a terminal)')
    .argument('[script]', 'script file, or - for standard input')
    .option('--platform <name|file>', 'platform preset or YAML file', 'qemu-q35')
    .option('--profile <name>', 'policy profile', DEFAULT_PROFILE)
    .option('--append <params>', 'extra kernel command-line parameters, e.g. "modprobe.blacklist=kmem"')
    .action(async (script, opts) => {
      code = await runShell(script, opts, io);
    });
  program
    .command('platforms')
    .description('list the platform presets')
    .action(() => {
      const list = listPresets();
      const w = Math.max(...list.map((p) => p.name.length));
      for (const p of list) io.out(`${p.name.padEnd(w)}  ${p.description}\n`);
    });
  program
    .command('profiles')
    .description('list the policy profiles and their choices')
    .option('-v, --verbose', 'show every choice of every profile')
    .action((opts) => {
      const names = profileNames();
      const w = Math.max(...names.map((n) => n.length));
      for (const n of names) {
        const p = loadProfile(n);
        io.out(`${n.padEnd(w)}  ${p.description}${n === DEFAULT_PROFILE ? ' (default)' : ''}\n`);
        if (opts.verbose) for (const d of DIMENSIONS) io.out(`${''.padEnd(w)}    ${d.id}: ${p.policy[d.id]}\n`);
      }
    });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isUserError(e)) {
      io.err(`memconform: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}
