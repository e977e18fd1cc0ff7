// A shell session on a model machine: guest commands at a bash prompt and QEMU monitor
// commands, printed as a terminal transcript. Scripts are checked completely before the
// first line runs, so a typo on line 40 does not leave a half-run machine behind.

import { Machine } from '../machine';
import { buildVfs } from '../fs/tree';
import { Vfs } from '../fs/vfs';
import { QemuMonitor } from '../hypervisor/qemu';
import { NSEC_PER_SEC } from '../kernel/clock';
import { splitWords, ShellSyntaxError, CommandLine } from './words';
import type { CommandContext, GuestCommand } from './command';
import { cat, dmesg, echo, ls } from './commands/builtins';
import { cxl } from './commands/cxl';
import { daxctl } from './commands/daxctl';
import { lsmod, modprobe, rmmod } from './commands/modprobe';
import { memhold } from './commands/memhold';
import { td } from './commands/td';
import { vm } from './commands/vm';
import { SYSCALL_COMMANDS } from './commands/syscalls';
import { Process } from '../mm/mmap';

export const GUEST_COMMANDS: GuestCommand[] = [cat, ls, dmesg, cxl, daxctl, modprobe, rmmod, lsmod, memhold, td, vm, ...SYSCALL_COMMANDS];
const ECHO_USAGE = 'echo [-n] VALUE [> FILE]';

export type ScriptLine =
  | { lineNo: number; kind: 'guest'; text: string; cmd: CommandLine }
  | { lineNo: number; kind: 'qemu'; text: string };

/** An output stream that also appends to the shared terminal view. */
class Tee extends Array<string> {
  static override get [Symbol.species]() {
    return Array;
  }

  constructor(private readonly terminal: string[]) {
    super();
  }

  override push(...items: string[]): number {
    this.terminal.push(...items);
    return super.push(...items);
  }
}

export class ScriptError extends Error {
  constructor(
    readonly source: string,
    readonly lineNo: number,
    readonly text: string,
    /** What is wrong with the line, without the location. */
    readonly detail: string,
  ) {
    super(`${source}:${lineNo}: ${detail}\n  ${lineNo} | ${text}`);
    this.name = 'ScriptError';
    // A mistake in a script: the message names the line; a stack trace would only bury it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export function commandNames(): string[] {
  return ['echo', 'wait', ...GUEST_COMMANDS.map((c) => c.name)].sort();
}

/** Parse and check one line; throws ScriptError naming the line. */
export function parseLine(text: string, lineNo: number, source: string): ScriptLine | null {
  const t = text.replace(/\s+$/, '');
  if (t.trim() === '' || t.trimStart().startsWith('#')) return null;
  if (t.startsWith('(qemu) ')) {
    const cmd = t.slice(7);
    const err = QemuMonitor.validate(cmd);
    if (err) throw new ScriptError(source, lineNo, text, err);
    return { lineNo, kind: 'qemu', text: cmd.trim() };
  }
  let cmd: CommandLine;
  try {
    cmd = splitWords(t.trim());
  } catch (e) {
    if (e instanceof ShellSyntaxError) throw new ScriptError(source, lineNo, text, e.message);
    throw e;
  }
  const name = cmd.argv[0];
  if (!name) throw new ScriptError(source, lineNo, text, 'a redirection needs a command');
  if (name === 'echo') return { lineNo, kind: 'guest', text: t.trim(), cmd };
  if (name === 'wait') {
    if (cmd.argv.length > 1 || cmd.redirect || cmd.background) throw new ScriptError(source, lineNo, text, 'wait takes no arguments here (it waits for every background job)');
    return { lineNo, kind: 'guest', text: t.trim(), cmd };
  }
  const c = GUEST_COMMANDS.find((g) => g.name === name);
  if (!c) {
    throw new ScriptError(source, lineNo, text, `unknown command "${name}" (guest commands: ${commandNames().join(', ')}; monitor commands start with "(qemu) ")`);
  }
  if (cmd.redirect) throw new ScriptError(source, lineNo, text, `only echo can redirect its output (${ECHO_USAGE})`);
  const err = c.validate(cmd.argv);
  if (err) throw new ScriptError(source, lineNo, text, `${err} (usage: ${c.usage})`);
  return { lineNo, kind: 'guest', text: t.trim(), cmd };
}

export function parseScript(text: string, source: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  text.split('\n').forEach((l, i) => {
    const p = parseLine(l, i + 1, source);
    if (p) out.push(p);
  });
  return out;
}

export interface LineResult {
  /** Transcript lines: the prompt and command, then what it printed. */
  transcript: string[];
  out: string[];
  err: string[];
  status: number;
}

export class Session {
  readonly vfs: Vfs;
  readonly qemu: QemuMonitor;
  /** The test program whose system calls the shell runs. */
  readonly process: Process;

  /** Output of background jobs that finished while the current command ran. */
  private jobOutput: string[] = [];

  constructor(readonly machine: Machine) {
    this.vfs = buildVfs(machine);
    this.qemu = new QemuMonitor(machine);
    this.process = new Process(machine);
    // A background job prints where it finishes, as a job's output lands on a terminal.
    machine.jobs.sink = (_job, _status, out) => this.jobOutput.push(...out);
  }

  private linesRun = 0;

  /**
   * Lines run and files opened for writing so far. Only those change the machine (a read is
   * a show method, which changes nothing), so while this stays the same the machine does too.
   */
  get activity(): number {
    return this.linesRun + this.vfs.opened;
  }

  run(line: ScriptLine): LineResult {
    this.linesRun++;
    // Each command happens a second after the previous one, so dmesg times read naturally.
    this.machine.clock.advance(NSEC_PER_SEC);
    this.jobOutput = [];
    if (line.kind === 'qemu') {
      const out = this.qemu.execute(line.text);
      const status = out.some((l) => l.startsWith('Error:') || l.startsWith('unknown command')) ? 1 : 0;
      return { transcript: [`(qemu) ${line.text}`, ...out, ...this.jobOutput], out, err: [], status };
    }
    // Both streams also land in one list, in the order written, as a terminal shows them.
    const both: string[] = [];
    const ctx: CommandContext = { machine: this.machine, vfs: this.vfs, out: new Tee(both), err: new Tee(both), background: !!line.cmd.background, process: this.process };
    const argv = line.cmd.argv;
    let status: number;
    if (argv[0] === 'echo') status = echo(argv, line.cmd.redirect, ctx);
    else if (argv[0] === 'wait') {
      // `wait` without arguments returns 0 in bash whatever the jobs returned.
      this.machine.jobs.completeAll();
      status = 0;
    }
    else status = GUEST_COMMANDS.find((c) => c.name === argv[0])!.run(argv, ctx);
    // bash reports a background job's start as success; its own status comes with `wait`.
    if (line.cmd.background) status = 0;
    return { transcript: [`$ ${line.text}`, ...both, ...this.jobOutput], out: [...ctx.out], err: [...ctx.err, ...this.jobOutput], status };
  }

  /** Parse-check then run a line of text typed or scripted by a user. */
  runText(text: string, source = 'shell'): LineResult | null {
    const p = parseLine(text, 1, source);
    return p ? this.run(p) : null;
  }

  /** Run a whole script; the exit status is that of the last command, as in bash. */
  runScript(text: string, source: string): { transcript: string[]; status: number } {
    const lines = parseScript(text, source);
    const transcript: string[] = [];
    let status = 0;
    for (const l of lines) {
      const r = this.run(l);
      transcript.push(...r.transcript);
      status = r.status;
    }
    return { transcript, status };
  }
}
