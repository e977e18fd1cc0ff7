// Policy profiles: named bundles of one choice per dimension, kept as YAML in profiles/.
// A profile may extend another and override some choices.

import * as fs from 'fs';
import * as path from 'path';
import { parseDocument, LineCounter, isNode } from 'yaml';
import { z } from 'zod';
import { DIMENSIONS, Policy } from './dimensions';

export const PROFILE_DIR = path.resolve(__dirname, '../../profiles');
export const DEFAULT_PROFILE = 'proposed';

export interface Profile {
  name: string;
  description: string;
  extends?: string;
  release: string;
  policy: Policy;
  /** Choices this profile sets itself (not inherited), for documentation. */
  own: Record<string, string>;
}

const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'a lower-case name such as linux-latest'),
  description: z.string().min(1),
  extends: z.string().optional(),
  /** `uname -r` of the kernel the profile stands for. */
  release: z.string().regex(/^\d+\.\d+/, 'a kernel release such as 6.8.0').optional(),
  choices: z.record(z.string(), z.string()),
});

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

export function profileNames(): string[] {
  return fs
    .readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

function readProfile(name: string): { data: z.infer<typeof profileSchema>; lineOf: (p: (string | number)[]) => string } {
  const file = path.join(PROFILE_DIR, `${name}.yaml`);
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name) || !fs.existsSync(file)) {
    throw new ProfileError(`profile "${name}" does not exist; known profiles: ${profileNames().join(', ')}`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lc });
  const rel = `profiles/${name}.yaml`;
  if (doc.errors.length) throw new ProfileError(`${rel}: YAML syntax error: ${doc.errors[0].message.split('\n')[0]}`);
  const lineOf = (p: (string | number)[]) => {
    const node = doc.getIn(p, true);
    return isNode(node) && node.range ? `${rel}:${lc.linePos(node.range[0]).line}` : rel;
  };
  const parsed = profileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    throw new ProfileError(`${lineOf(iss.path as (string | number)[])}: ${iss.path.join('.') || '(top level)'}: ${iss.message}`);
  }
  if (parsed.data.name !== name) throw new ProfileError(`${lineOf(['name'])}: name "${parsed.data.name}" does not match the file name "${name}"`);
  return { data: parsed.data, lineOf };
}

export function loadProfile(name: string, seen: string[] = []): Profile {
  if (seen.includes(name)) throw new ProfileError(`profile inheritance loops: ${[...seen, name].join(' -> ')}`);
  const { data, lineOf } = readProfile(name);
  const base = data.extends ? loadProfile(data.extends, [...seen, name]).policy : {};
  for (const [dim, choice] of Object.entries(data.choices)) {
    const d = DIMENSIONS.find((x) => x.id === dim);
    if (!d) throw new ProfileError(`${lineOf(['choices', dim])}: unknown dimension "${dim}"; known: ${DIMENSIONS.map((x) => x.id).join(', ')}`);
    if (!(choice in d.choices)) {
      throw new ProfileError(`${lineOf(['choices', dim])}: "${choice}" is not a choice of ${dim}; expected one of ${Object.keys(d.choices).join(', ')}`);
    }
  }
  const policy: Record<string, string> = { ...base, ...data.choices };
  const missing = DIMENSIONS.filter((d) => !(d.id in policy)).map((d) => d.id);
  if (missing.length) throw new ProfileError(`profiles/${name}.yaml: no choice for ${missing.join(', ')}`);
  const release = data.release ?? (data.extends ? loadProfile(data.extends, [...seen, name]).release : '7.1.0');
  return { name, description: data.description, extends: data.extends, release, policy, own: data.choices };
}
