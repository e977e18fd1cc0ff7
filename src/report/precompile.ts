// Transpile the project's TypeScript once, for runs that start many processes (the policy
// matrix): each process would otherwise load TypeScript and transpile every module again
// through ts-node (about 1.5 s of CPU per process on this machine kind). The output mirrors the
// project (src/, steps/, scripts/ as .js; other top-level entries as symlinks), so modules that
// find data next to themselves (profiles/, platforms/) find the same files.

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
