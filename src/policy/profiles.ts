// Policy profiles: named bundles of one choice per dimension, kept as YAML in profiles/.
// A profile may extend another and override some choices.

import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { DIMENSIONS, Policy } from './dimensions';
import { didYouMean, locate, locateKey, parseYaml, schemaMessages } from '../util/yaml_input';

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
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case name such as linux-latest'),
  description: z.string().min(1),
  extends: z.string().optional(),
  /** `uname -r` of the kernel the profile stands for. */
  release: z.string().regex(/^\d+\.\d/, 'expected a kernel release such as 6.8.0').optional(),
  choices: z.record(z.string(), z.string()),
});

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
    // A mistake in a profile file or name: the message says everything, a stack trace nothing.
    this.stack = `${this.name}: ${message}`;
  }
}

export function profileNames(): string[] {
  return fs
    .readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

const NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** The profile file of a name; an unknown name is an error listing the known ones. */
function profileFile(name: string): string {
  const file = path.join(PROFILE_DIR, `${name}.yaml`);
  if (!NAME.test(name) || !fs.existsSync(file)) {
    const known = profileNames();
    throw new ProfileError(`profile "${name}" does not exist; known profiles: ${known.join(', ')}${didYouMean(name, known)}`);
  }
  return file;
}

/**
 * Check profile YAML text: syntax, schema, and each choice against the policy dimensions.
 * `source` names the file in errors (FILE:LINE). Inheritance (extends) is not resolved here.
 */
export function parseProfile(text: string, source: string): { data: z.infer<typeof profileSchema>; at: (p: (string | number)[]) => string } {
  const r = parseYaml(text, source);
  if ('error' in r) throw new ProfileError(r.error);
  const y = r.yaml;
  const parsed = profileSchema.safeParse(y.doc.toJS());
  if (!parsed.success) throw new ProfileError(schemaMessages(y, profileSchema, parsed.error.issues).join('\n'));
  const at = (p: (string | number)[]) => locate(y, p);
  const ids = DIMENSIONS.map((x) => x.id);
  const problems: string[] = [];
  for (const [dim, choice] of Object.entries(parsed.data.choices)) {
    const d = DIMENSIONS.find((x) => x.id === dim);
    if (!d) {
      problems.push(`${locateKey(y, ['choices'], dim)}: choices: unknown policy dimension "${dim}"${didYouMean(dim, ids)}; known: ${ids.join(', ')}`);
    } else if (!Object.hasOwn(d.choices, choice)) {
      const known = Object.keys(d.choices);
      problems.push(`${at(['choices', dim])}: choices.${dim}: "${choice}" is not a choice of ${dim}${didYouMean(choice, known)}; expected one of ${known.join(', ')}`);
    }
  }
  if (problems.length) throw new ProfileError(problems.join('\n'));
  return { data: parsed.data, at };
}

/** A profile from its text, with `extends` resolved against profiles/; `name` is the name it must carry. */
export function profileFromText(text: string, source: string, name: string, seen: string[] = []): Profile {
  const { data, at } = parseProfile(text, source);
  if (data.name !== name) throw new ProfileError(`${at(['name'])}: name: "${data.name}" does not match the file name "${name}"`);
  let base: Profile | undefined;
  if (data.extends) {
    if ([...seen, name].includes(data.extends)) throw new ProfileError(`${at(['extends'])}: extends: profile inheritance loops: ${[...seen, name, data.extends].join(' -> ')}`);
    try {
      base = loadProfile(data.extends, [...seen, name]);
    } catch (e) {
      // The base's own file errors name that file; an unknown base is this file's mistake.
      if (e instanceof ProfileError && e.message.startsWith(`profile "${data.extends}" does not exist`)) {
        throw new ProfileError(`${at(['extends'])}: extends: ${e.message}`);
      }
      throw e;
    }
  }
  const policy: Record<string, string> = { ...(base?.policy ?? {}), ...data.choices };
  const missing = DIMENSIONS.filter((d) => !(d.id in policy)).map((d) => d.id);
  if (missing.length) throw new ProfileError(`${source}: choices: no choice for ${missing.join(', ')} (set it here or in a profile this one extends)`);
  const release = data.release ?? base?.release ?? '7.1.0';
  return { name, description: data.description, extends: data.extends, release, policy, own: data.choices };
}

export function loadProfile(name: string, seen: string[] = []): Profile {
  if (seen.includes(name)) throw new ProfileError(`profile inheritance loops: ${[...seen, name].join(' -> ')}`);
  const file = profileFile(name);
  return profileFromText(fs.readFileSync(file, 'utf8'), `profiles/${name}.yaml`, name, seen);
}
