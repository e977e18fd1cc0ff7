// The contract between the shell and each guest command.

import type { Machine } from '../machine';
import type { Vfs } from '../fs/vfs';
import type { Process } from '../mm/mmap';

export interface CommandContext {
  machine: Machine;
  vfs: Vfs;
  /** Standard output lines. */
  out: string[];
  /** Standard error lines (shown in the transcript like a terminal shows them). */
  err: string[];
  /** Run as `cmd &`: a command may leave work in progress as a background job. */
  background: boolean;
  /** The session's test process (system calls, MTE instructions). */
  process: Process;
}

export interface GuestCommand {
  name: string;
  /** One-line usage for `help` and error messages. */
  usage: string;
  /** Check arguments before anything runs; a string is a malformed-line error. */
  validate(argv: string[]): string | null;
  /** Run; returns the exit status. */
  run(argv: string[], ctx: CommandContext): number;
}

/** A command whose arguments one parser both validates and turns into options for run(). */
export function parsedCommand<P>(
  name: string,
  usage: string,
  parse: (argv: string[]) => P | string,
  run: (p: P, ctx: CommandContext) => number,
): GuestCommand {
  return {
    name,
    usage,
    validate(argv) {
      const p = parse(argv);
      return typeof p === 'string' ? p : null;
    },
    run(argv, ctx) {
      const p = parse(argv);
      if (typeof p === 'string') throw new Error(`${name}: run() after a failed validate(): ${p}`);
      return run(p, ctx);
    },
  };
}
