// Parameter types: sizes, addresses, ranges and errno names as a kernel engineer writes them.
// Malformed values fail the step with one line naming the feature file and line, the step, the
// parameter type, the value and the expected form, e.g.
//   features/hotplug/zones.feature:12: step "Given a 1 GB DIMM "d1" is hot-plugged": {size}:
//   "1 GB" is not a size such as "64 GiB", "128M", "4 KiB" or "0x8000000" ("GB" is ambiguous; write GiB or G)

import { BeforeStep, defineParameterType } from '@cucumber/cucumber';
import type { GherkinDocument, Step } from '@cucumber/messages';
import { parseAddress, parseRange, parseSize } from '../../src/util/units';
import { parseErrno } from '../../src/util/errno';
import { documentSteps } from '../../src/report/results';
import { MemWorld } from './world';

// The line and keyword of each step of a feature file, by AST node id, computed once per
// document object (a WeakMap: nothing outlives the document, nothing is shared between files).
const stepIndex = new WeakMap<GherkinDocument, Map<string, Step>>();

function stepsOf(doc: GherkinDocument): Map<string, Step> {
  let m = stepIndex.get(doc);
  if (!m) {
    m = new Map(documentSteps(doc).map((s) => [s.id, s]));
    stepIndex.set(doc, m);
  }
  return m;
}

// Tell the World which step runs, before cucumber matches its parameters.
BeforeStep(function (this: MemWorld, { gherkinDocument, pickle, pickleStep }) {
  const step = stepsOf(gherkinDocument).get(pickleStep.astNodeIds[0]);
  this.currentStep = { uri: pickle.uri, line: step?.location.line ?? pickle.location?.line ?? 0, text: `${step?.keyword ?? ''}${pickleStep.text}` };
});

/** Where a parameter value came from: the step (file, line, text) and the parameter type. */
function where(world: unknown, type: string): string {
  return `${world instanceof MemWorld ? world.stepWhere : 'step'}: {${type}}`;
}

// cucumber calls a transformer with the World as `this`.
defineParameterType({
  name: 'size',
  regexp: /\d[\d_]*(?:\.\d+)?\s?(?:[KMGTP]iB|[KMGTP]B|[KMGTP]|B)\b/,
  transformer: function (this: MemWorld, s: string) {
    return parseSize(s, where(this, 'size'));
  },
});

defineParameterType({
  name: 'address',
  regexp: /0x[0-9a-fA-F_]+/,
  transformer: function (this: MemWorld, s: string) {
    return parseAddress(s, where(this, 'address'));
  },
});

defineParameterType({
  name: 'range',
  regexp: /0x[0-9a-fA-F_]+-0x[0-9a-fA-F_]+/,
  transformer: function (this: MemWorld, s: string) {
    return parseRange(s, where(this, 'range'));
  },
});

defineParameterType({
  name: 'errno',
  regexp: /E[A-Z0-9]+(?: \([^)]*\))?/,
  transformer: function (this: MemWorld, s: string) {
    return parseErrno(s, where(this, 'errno'));
  },
});

defineParameterType({
  name: 'platform',
  regexp: /[a-z0-9]+(?:-[a-z0-9.]+)+/,
  transformer: (s: string) => s,
});

defineParameterType({
  name: 'online_type',
  regexp: /online_kernel|online_movable|online|offline/,
  transformer: (s: string) => s,
});
