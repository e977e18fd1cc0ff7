// After every step that ran, check the model's invariants (src/invariants) on the scenario's
// machine, if it has booted. A violation fails the step with InvariantViolation, which is not
// an AssertionError: the report files it as a harness error (a model or harness bug), distinct
// from a requirement the profile violates. Policy invariants apply only under the policy
// choices that promise them, so a profile that deliberately breaks a requirement (owner,
// assume-taggable) is still reported as violating the requirement, not as a harness error.

// MEMCONFORM_INVARIANTS=off turns the check off (to time it); =requirement checks the policy
// invariants under every policy, as the requirements state them (to see what a profile breaks).

import { AfterStep, Status } from '@cucumber/cucumber';
import { assertInvariants } from '../../src/invariants';
import type { MemWorld } from './world';

const setting = process.env.MEMCONFORM_INVARIANTS ?? 'policy';
if (!['off', 'policy', 'requirement'].includes(setting)) {
  throw new Error(`MEMCONFORM_INVARIANTS="${setting}" is not one of off, policy, requirement`);
}

AfterStep(function (this: MemWorld, { result }) {
  if (setting === 'off') return;
  // A step that did not run changed nothing; one that failed already reports its own error.
  if (result?.status !== Status.PASSED) return;
  const session = this.bootedSession;
  if (session) assertInvariants(session.machine, { mode: setting as 'policy' | 'requirement' });
});
