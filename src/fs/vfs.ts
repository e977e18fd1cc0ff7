// A minimal VFS over the model: directories, attribute files with modes, and symlinks,
// resolved the way the kernel resolves paths. Error codes are those kernfs/procfs return:
// a write to a file without write permission or a store method is -EACCES (root included),
// creating a file in sysfs is -EACCES, reading a directory is -EISDIR.

import { E } from '../util/errno';

export interface VFile {
  kind: 'file';
  mode: number;
  read?: () => string | number;
  write?: (buf: string) => number;
}

export interface VDir {
  kind: 'dir';
  entries: () => Map<string, VNode>;
  /** Find one entry without listing the directory (large dirs such as memory/ need it). */
  lookup: (name: string) => VNode | undefined;
}

export interface VLink {
  kind: 'link';
  target: string;
}

export type VNode = VFile | VDir | VLink;

export function file(mode: number, read?: () => string | number, write?: (buf: string) => number): VFile {
  return { kind: 'file', mode, read, write };
}

export function ro(read: () => string | number): VFile {
  return file(0o444, read);
}

export function rw(read: () => string | number, write: (buf: string) => number): VFile {
  return file(0o644, read, write);
}

export function wo(write: (buf: string) => number): VFile {
  return file(0o200, undefined, write);
}

export function dir(
  entries: () => Map<string, VNode> | Array<[string, VNode]>,
  lookup?: (name: string) => VNode | undefined,
): VDir {
  const all = () => {
    const e = entries();
    return e instanceof Map ? e : new Map(e);
  };
  return { kind: 'dir', entries: all, lookup: lookup ?? ((name) => all().get(name)) };
}

export function link(target: string): VLink {
  return { kind: 'link', target };
}

/** Path components, without empty ones and `.`. */
function split(path: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47 /* / */) continue;
    if (i > start && !(i === start + 1 && path.charCodeAt(start) === 46 /* . */)) out.push(path.slice(start, i));
    start = i + 1;
  }
  return out;
}

export class Vfs {
  /** Files opened for writing so far (Session.activity). */
  opened = 0;

  constructor(private readonly root: VDir) {}

  /** Resolve a path; the last component's symlink is followed when `follow`. */
  resolve(path: string, follow = true): { node: VNode; path: string[] } | number {
    const names: string[] = [];
    const node = this.walk(path, follow, names);
    return typeof node === 'number' ? node : { node, path: names };
  }

  /** resolve() without collecting the names, for read, open, list and stat (the hot paths). */
  private walk(path: string, follow: boolean, names?: string[]): VNode | number {
    if (!path.startsWith('/')) return -E.ENOENT;
    // Components still to walk, the next one last (a symlink's target is pushed on top).
    const todo = split(path).reverse();
    const stack: VNode[] = [];
    let cur: VNode = this.root;
    let hops = 0;
    while (todo.length) {
      const name = todo.pop()!;
      if (name === '..') {
        stack.pop();
        names?.pop();
        cur = stack.length ? stack[stack.length - 1] : this.root;
        continue;
      }
      if (cur.kind !== 'dir') return -E.ENOTDIR;
      const next = cur.lookup(name);
      if (!next) return -E.ENOENT;
      if (next.kind === 'link' && (todo.length > 0 || follow)) {
        if (++hops > 40) return -40; // ELOOP
        const t = next.target;
        if (t.startsWith('/')) {
          stack.length = 0;
          if (names) names.length = 0;
          cur = this.root;
        }
        const target = split(t);
        for (let i = target.length - 1; i >= 0; i--) todo.push(target[i]);
        continue;
      }
      stack.push(next);
      names?.push(name);
      cur = next;
    }
    return cur;
  }

  /** Read a whole file, as cat does. */
  read(path: string): string | number {
    const n = this.walk(path, true);
    if (typeof n === 'number') return n;
    if (n.kind === 'dir') return -E.EISDIR;
    if (n.kind !== 'file') return -E.EINVAL;
    if (!(n.mode & 0o444) || !n.read) return -E.EACCES;
    return n.read();
  }

  /** Open for writing (O_WRONLY|O_CREAT|O_TRUNC), then write the buffer once, as `echo >` does. */
  open(path: string): VFile | number {
    this.opened++;
    const n = this.walk(path, true);
    if (typeof n === 'number') {
      if (n !== -E.ENOENT) return n;
      // Creating a file: the parent must exist; sysfs/procfs directories have no create().
      const parent = path.replace(/\/[^/]*\/?$/, '') || '/';
      const p = this.walk(parent, true);
      if (typeof p === 'number') return p;
      return p.kind === 'dir' ? -E.EACCES : -E.ENOTDIR;
    }
    if (n.kind === 'dir') return -E.EISDIR;
    if (n.kind !== 'file') return -E.EINVAL;
    if (!(n.mode & 0o222) || !n.write) return -E.EACCES;
    return n;
  }

  list(path: string): string[] | number {
    const n = this.walk(path, true);
    if (typeof n === 'number') return n;
    if (n.kind !== 'dir') return -E.ENOTDIR;
    return [...n.entries().keys()];
  }

  stat(path: string, follow = true): VNode | number {
    return this.walk(path, follow);
  }
}
