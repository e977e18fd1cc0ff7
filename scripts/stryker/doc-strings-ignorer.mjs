// A Stryker ignorer (stryker.config.json "ignorers": ["doc-strings"]): the policy
// dimensions' documentation text (each dimension's `title` and `source`, and the description
// of each of its `choices`) is read by nothing — not the model, not a report, not a command —
// so a mutant of it is equivalent by construction. Stryker reports these mutants as Ignored,
// with the reason below, instead of counting them as survivors. Anything else in the file
// (the dimension ids, the choice names) is mutated as usual.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const FILE = /[\\/]src[\\/]policy[\\/]dimensions\.ts$/;
const DOC_KEYS = new Set(['title', 'source']);

function keyName(prop) {
  const k = prop.node.key;
  return k.type === 'Identifier' ? k.name : k.type === 'StringLiteral' ? k.value : undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'doc-strings', {
    shouldIgnore(path) {
      if (!path.isStringLiteral() && !path.isTemplateLiteral()) return undefined;
      const file = path.hub?.file?.opts?.filename ?? '';
      if (!FILE.test(file)) return undefined;
      const prop = path.parentPath;
      if (!prop?.isObjectProperty() || prop.node.value !== path.node) return undefined;
      if (DOC_KEYS.has(keyName(prop))) return 'documentation text of a policy dimension: nothing reads it';
      const owner = prop.parentPath?.parentPath;
      if (owner?.isObjectProperty() && keyName(owner) === 'choices') return 'description of a policy choice: nothing reads it';
      return undefined;
    },
  }),
];
