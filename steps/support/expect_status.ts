// Exit-status assertions that keep the command's transcript in the failure message. (Cucumber's
// error formatter drops a multi-line chai message when the assertion also carries a diff.)

import { expect } from 'chai';
import { LineResult } from '../../src/shell/session';

export function expectStatus(r: LineResult, want: number): void {
  if (r.status !== want) {
    const cmd = r.transcript[0]?.replace(/^\S+ /, '') ?? '';
    expect.fail(`expected "${cmd}" to exit with status ${want}, got ${r.status}:\n${r.transcript.join('\n')}`);
  }
}
