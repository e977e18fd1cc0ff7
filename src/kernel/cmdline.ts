// The kernel command line, split the way the kernel's parse_args() does: space separated,
// double quotes protect spaces, "key=value" or a bare flag.
// mirrors next_arg(), lib/cmdline.c

export class KernelCmdline {
  /** The last value of each parameter (what a core_param or module_param ends up holding). */
  readonly params = new Map<string, string | true>();
  /** Every value of each parameter in command-line order: a __setup() handler runs once per occurrence. */
  private readonly occurrences = new Map<string, Array<string | true>>();

  constructor(readonly text: string) {
    const re = /(?:[^\s"]+|"[^"]*")+/g;
    for (const m of text.match(re) ?? []) {
      const eq = m.indexOf('=');
      const [key, value]: [string, string | true] = eq < 0 ? [m.replace(/"/g, ''), true] : [m.slice(0, eq), m.slice(eq + 1).replace(/^"|"$/g, '')];
      this.params.set(key, value);
      const all = this.occurrences.get(key);
      if (all) all.push(value);
      else this.occurrences.set(key, [value]);
    }
  }

  /** Every occurrence of a parameter, first to last. */
  all(name: string): Array<string | true> {
    return [...(this.occurrences.get(name) ?? [])];
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
