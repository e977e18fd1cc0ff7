// Hands each scenario's record of profile reads (MemWorld.profileReads) to the process that
// runs cucumber, keyed as the scenario results are (uri:line), when that process asked for it
// (scripts/matrix-worker.ts: the policy matrix reuses a result under every profile that agrees
// on what the scenario read). A BeforeStep hook, not a Before hook: a Before hook would be a
// test step of every scenario and a "Set up" fixture of every test in the Allure report. The
// record is the World's own object, so reads made before the first step are in it too; a
// scenario without steps reads nothing and is never reused (it costs nothing to run).

import { BeforeStep } from '@cucumber/cucumber';
import { scenarioReads } from '../../src/policy/reads';
import type { MemWorld } from './world';

BeforeStep(function (this: MemWorld, { pickle }) {
  scenarioReads(`${pickle.uri}:${pickle.location?.line ?? 1}`, this.profileReads);
});
