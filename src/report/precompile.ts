// Transpile the project's TypeScript once, for runs that start many processes (the policy
// matrix): each process would otherwise load TypeScript and transpile every module again
// through ts-node (about 1.5 s of CPU per process on this machine kind). The output mirrors the
// project (src/, steps/, scripts/ as .js; other top-level entries as symlinks), so modules that
// find data next to themselves (profiles/, platforms/) find the same files.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Folders whose TypeScript is transpiled; everything else at the top level is linked. */
export const COMPILED_DIRS = ['src', 'steps', 'scripts'];
const NOT_LINKED = new Set([...COMPILED_DIRS, '.git', 'reports', 'test', '.stryker-tmp']);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Transpile root's src/, steps/ and scripts/ into outDir with the compiler options of
 * root/tsconfig.json, as ts-node's transpile-only mode does (no type check). Returns the number
 * of modules written.
 */
export function precompile(root: string, outDir: string): number {
  const ts = require('typescript') as typeof import('typescript');
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), (f) => fs.readFileSync(f, 'utf8'));
  if (config.error) throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(config.error.messageText, '\n')}`);
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions ?? {}, root);
  const compilerOptions = { ...options, noEmit: false, sourceMap: false, inlineSourceMap: false, declaration: false };
  let count = 0;
  for (const dir of COMPILED_DIRS) {
    const from = path.join(root, dir);
    if (!fs.existsSync(from)) continue;
    for (const file of walk(from)) {
      const rel = path.relative(root, file);
      const target = path.join(outDir, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
        fs.writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
        count++;
      } else {
        fs.copyFileSync(file, target);
      }
    }
  }
  for (const e of fs.readdirSync(root)) {
    if (NOT_LINKED.has(e)) continue;
    fs.symlinkSync(path.join(root, e), path.join(outDir, e));
  }
  return count;
}

/** Where transpiled copies are kept between runs (node_modules/.cache is ignored by git). */
export function cacheDir(root: string): string {
  return path.join(root, 'node_modules', '.cache', 'memconform');
}

/**
 * Everything a transpiled copy depends on: the project's location, the TypeScript version and
 * tsconfig.json, the top-level entries linked, and every file of src/, steps/ and scripts/.
 */
function sourceHash(root: string): string {
  const h = createHash('sha256');
  const tsPackage = path.join(root, 'node_modules', 'typescript', 'package.json');
  h.update(`${root}\0${fs.existsSync(tsPackage) ? (JSON.parse(fs.readFileSync(tsPackage, 'utf8')) as { version: string }).version : '?'}\0`);
  h.update(fs.readFileSync(path.join(root, 'tsconfig.json')));
  h.update(`\0${fs.readdirSync(root).filter((e) => !NOT_LINKED.has(e)).sort().join('\0')}\0`);
  for (const dir of COMPILED_DIRS) {
    const from = path.join(root, dir);
    if (!fs.existsSync(from)) continue;
    for (const file of walk(from).sort()) {
      h.update(`\0${path.relative(root, file)}\0`);
      h.update(fs.readFileSync(file));
    }
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * A transpiled copy of root (see precompile()) for its current sources: made once and kept in
 * cacheDir(root), so a run that starts many processes pays neither the transpile nor loading
 * TypeScript when nothing changed (about 1.2 s on this machine kind). Concurrent runs are safe:
 * a copy is built under a temporary name and renamed into place whole. Copies unused for a day
 * are removed.
 */
export function precompiled(root: string): string {
  const cache = cacheDir(root);
  const dir = path.join(cache, `precompiled-${sourceHash(root)}`);
  const complete = path.join(dir, '.complete');
  if (!fs.existsSync(complete)) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(tmp, { recursive: true });
    try {
      precompile(root, tmp);
      fs.writeFileSync(path.join(tmp, '.complete'), '');
      fs.renameSync(tmp, dir);
    } catch (e) {
      // Another run put the same copy in place first: use it.
      if (!fs.existsSync(complete)) throw e;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const now = new Date();
  fs.utimesSync(dir, now, now);
  for (const e of fs.readdirSync(cache)) {
    const p = path.join(cache, e);
    if (p === dir || !e.startsWith('precompiled-')) continue;
    try {
      if (now.getTime() - fs.statSync(p).mtimeMs > 24 * 3600 * 1000) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another run
    }
  }
  return dir;
}
