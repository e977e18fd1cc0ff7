// What every `npm run X` script does around its main(): parse the command line with commander
// (help and usage errors become exit statuses, not exceptions), and run main() with its status
// as the process's exit code, an unexpected error printed under the script's name (exit 1).

import { Command, CommanderError } from 'commander';

/**
 * Parse argv (user arguments only) with a command built with exitOverride(): undefined when the
 * script should go on, else the exit status commander ended with (0 after --help, 2 for a
 * usage error it has already printed).
 */
export function parseCommand(cmd: Command, argv: string[]): number | undefined {
  try {
    cmd.parse(argv, { from: 'user' });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
}

/** Run main(argv) as the process: its result is the exit status; a throw is printed and exits 1. */
export function runMain(name: string, main: (argv: string[]) => Promise<number>, opts: { stack?: boolean } = {}): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`${name}: ${err instanceof Error ? ((opts.stack ?? true) ? (err.stack ?? err.message) : err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}
