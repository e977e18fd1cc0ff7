// What a failed scenario leaves for the person reading the report: the model machine's kernel
// log and the sysfs/procfs files a kernel engineer would look at first (/proc/iomem, the memory
// block states, /proc/meminfo). steps/support/attach.ts attaches them to the scenario; Allure
// shows them under the test. Read through the same surfaces a guest would use, without running a
// command (which would move the model's clock and log).

import { formatDmesgLine, LOGLEVELS } from '../kernel/printk';

/** The parts of a shell Session this needs. */
export interface StateSource {
  vfs: { read(path: string): string | number; list(path: string): string[] | number };
  machine: { log: { all(): ReadonlyArray<{ seq: number; tsNs: number; level: number; text: string }> } };
}

export interface StateFile {
  /** Attachment file name (Allure shows it as the attachment's title). */
  name: string;
  text: string;
}

const MEMORY = '/sys/devices/system/memory';

function read(src: StateSource, path: string): string {
  const v = src.vfs.read(path);
  return typeof v === 'number' ? `(cannot read ${path}: errno ${-v})\n` : v;
}

/** Every log record, `dmesg -x` style: facility:level, timestamp, text (debug lines included). */
export function dmesgText(src: StateSource): string {
  const lines = src.machine.log.all().map((r) => `kern  :${(LOGLEVELS[r.level] ?? String(r.level)).padEnd(6)}: ${formatDmesgLine(r)}`);
  return lines.length ? lines.join('\n') + '\n' : '(the kernel log is empty)\n';
}

/**
 * The memory block devices, consecutive blocks with the same state and zones folded into one
 * line ("memory32-39 (8 blocks): offline; valid_zones Normal Movable"), after the block size and
 * the auto-online setting.
 */
export function memoryBlocksText(src: StateSource): string {
  const names = src.vfs.list(MEMORY);
  if (typeof names === 'number') return `(cannot list ${MEMORY}: errno ${-names})\n`;
  const out = [
    `${MEMORY}/block_size_bytes: ${read(src, `${MEMORY}/block_size_bytes`).trim()}`,
    `${MEMORY}/auto_online_blocks: ${read(src, `${MEMORY}/auto_online_blocks`).trim()}`,
  ];
  const blocks = names
    .map((n) => /^memory(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  out.push(`${blocks.length} memory block(s):`);
  let run: { first: number; last: number; what: string } | undefined;
  const flush = () => {
    if (!run) return;
    const n = run.last - run.first + 1;
    out.push(`  memory${run.first}${n > 1 ? `-${run.last}` : ''} (${n} block${n > 1 ? 's' : ''}): ${run.what}`);
  };
  for (const b of blocks) {
    const state = read(src, `${MEMORY}/memory${b}/state`).trim();
    const zones = read(src, `${MEMORY}/memory${b}/valid_zones`).trim();
    const what = `${state}; valid_zones ${zones}`;
    if (run && run.last === b - 1 && run.what === what) run.last = b;
    else {
      flush();
      run = { first: b, last: b, what };
    }
  }
  flush();
  return out.join('\n') + '\n';
}

/** The files attached to a failed scenario, in the order a reader wants them. */
export function machineState(src: StateSource): StateFile[] {
  return [
    { name: 'dmesg.txt', text: dmesgText(src) },
    { name: 'proc-iomem.txt', text: read(src, '/proc/iomem') },
    { name: 'memory-blocks.txt', text: memoryBlocksText(src) },
    { name: 'proc-meminfo.txt', text: read(src, '/proc/meminfo') },
  ];
}
