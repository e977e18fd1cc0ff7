// Hands each scenario's record of profile reads (MemWorld.profileReads) to the process that
// runs cucumber, keyed as the scenario results are (uri:line), when that process asked for it
// (scripts/matrix-worker.ts: the policy matrix reuses a result under every profile that agrees
// on what the scenario read).

import { Before } from '@cucumber/cucumber';
import { scenarioReads } from '../../src/policy/reads';
import type { MemWorld } from './world';

Before({ name: 'record the profile reads' }, function (this: MemWorld, { pickle }) {
  scenarioReads(`${pickle.uri}:${pickle.location?.line ?? 1}`, this.profileReads);
});
