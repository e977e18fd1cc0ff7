// The cucumber floor: what a run costs when every step and hook does nothing. It is the same
// support code library as the real one (the same step patterns, parameter types, hook
// definitions and so the same test cases and messages), with every function body replaced by
// an empty one of the same arity and cucumber's own World. `npm run bench` compares the real
// suite and the policy matrix with it: the ratio is the harness's own cost.

import { World } from '@cucumber/cucumber';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { SupportCodeLibrary } from '@cucumber/cucumber/lib/support_code_library_builder/types';

/** An empty function with the given arity: cucumber checks a step function's length against its arguments. */
function noop(length: number): () => void {
  const fn = function () {};
  Object.defineProperty(fn, 'length', { value: length });
  return fn;
}

/** A copy of a definition (step or hook) whose code does nothing. */
function emptied<T extends { code: { length: number } }>(def: T): T {
  const copy = Object.create(Object.getPrototypeOf(def)) as T;
  Object.assign(copy, def, { code: noop(def.code.length), unwrappedCode: noop(def.code.length) });
  return copy;
}

/** The floor of a loaded support code library (see the top of this file). */
export function floorSupport(support: ISupportCodeLibrary): ISupportCodeLibrary {
  const lib = support as SupportCodeLibrary;
  const floor: SupportCodeLibrary = {
    ...lib,
    stepDefinitions: lib.stepDefinitions.map(emptied),
    beforeTestCaseHookDefinitions: lib.beforeTestCaseHookDefinitions.map(emptied),
    afterTestCaseHookDefinitions: lib.afterTestCaseHookDefinitions.map(emptied),
    beforeTestStepHookDefinitions: lib.beforeTestStepHookDefinitions.map(emptied),
    afterTestStepHookDefinitions: lib.afterTestStepHookDefinitions.map(emptied),
    beforeTestRunHookDefinitions: lib.beforeTestRunHookDefinitions.map(emptied),
    afterTestRunHookDefinitions: lib.afterTestRunHookDefinitions.map(emptied),
    World,
  };
  return floor;
}
