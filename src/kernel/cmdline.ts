// The kernel command line, split the way the kernel's parse_args() does: space separated,
// double quotes protect spaces, "key=value" or a bare flag.
// mirrors next_arg(), lib/cmdline.c

export class KernelCmdline {
  readonly params = new Map<string, string | true>();

  constructor(readonly text: string) {
    const re = /(?:[^\s"]+|"[^"]*")+/g;
    for (const m of text.match(re) ?? []) {
      const eq = m.indexOf('=');
      if (eq < 0) this.params.set(m.replace(/"/g, ''), true);
      else this.params.set(m.slice(0, eq), m.slice(eq + 1).replace(/^"|"$/g, ''));
    }
  }

  get(name: string): string | true | undefined {
    return this.params.get(name);
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  string(name: string): string | undefined {
    const v = this.params.get(name);
    return typeof v === 'string' ? v : undefined;
  }
}
