// When a scenario fails on a machine that has booted, attach the machine's state to it: the
// kernel log, /proc/iomem, the memory block states and /proc/meminfo (src/report/machine_state.ts).
// cucumber sends attachments in its message stream; allure-cucumberjs turns each into an Allure
// attachment of the test, named by its file name. MEMCONFORM_MACHINE_STATE=off leaves them out:
// the policy matrix (scripts/matrix-worker.ts) keeps only each scenario's status.

import { After, Status } from '@cucumber/cucumber';
import { machineState } from '../../src/report/machine_state';
import type { MemWorld } from './world';

const attachState = process.env.MEMCONFORM_MACHINE_STATE !== 'off';

After({ name: 'attach the machine state' }, function (this: MemWorld, { result }) {
  if (!attachState || result?.status !== Status.FAILED) return;
  // A bad value in the feature file (steps/support/parameters.ts): the machine is not the story.
  if (result.exception?.type === 'InputError') return;
  const session = this.bootedSession;
  if (!session) return;
  let files;
  try {
    files = machineState(session);
  } catch (e) {
    // The report must still show the failure itself: say why the state is missing instead.
    files = [{ name: 'machine-state.txt', text: `could not read the machine state: ${e instanceof Error ? e.message : String(e)}\n` }];
  }
  for (const f of files) this.attach(f.text, { mediaType: 'text/plain', fileName: f.name });
});
