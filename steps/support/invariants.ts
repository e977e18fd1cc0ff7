// After every step that ran, check the model's invariants (src/invariants) on the scenario's
// machine, if it has booted and anything ran on it since it last passed. A violation fails the step with InvariantViolation, which is not
// an AssertionError: the report files it as a harness error (a model or harness bug), distinct
// from a requirement the profile violates. Policy invariants apply only under the policy
// choices that promise them, so a profile that deliberately breaks a requirement (owner,
// assume-taggable) is still reported as violating the requirement, not as a harness error.

// MEMCONFORM_INVARIANTS=off turns the check off (to time it); =requirement checks the policy
// invariants under every policy, as the requirements state them (to see what a profile breaks).

import { AfterStep, Status } from '@cucumber/cucumber';
import { assertInvariants } from '../../src/invariants';
import type { MemWorld } from './world';
import type { Session } from '../../src/shell/session';

const setting = process.env.MEMCONFORM_INVARIANTS ?? 'policy';
if (!['off', 'policy', 'requirement'].includes(setting)) {
  throw new Error(`MEMCONFORM_INVARIANTS="${setting}" is not one of off, policy, requirement`);
}

/** Each session's activity (Session.activity) when its machine last passed the check. */
const checkedAt = new WeakMap<Session, number>();

AfterStep(function (this: MemWorld, { result }) {
  if (setting === 'off') return;
  // A step that did not run changed nothing; one that failed already reports its own error.
  if (result?.status !== Status.PASSED) return;
  const session = this.bootedSession;
  if (!session) return;
  // A step that only read (most Then steps) left the machine as it was when it last passed.
  const activity = session.activity;
  if (checkedAt.get(session) === activity) return;
  assertInvariants(session.machine, { mode: setting as 'policy' | 'requirement' });
  checkedAt.set(session, activity);
});
