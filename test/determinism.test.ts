// The comparison behind `npm run test:determinism` (scripts/determinism.ts), which runs the real
// suite serially, in parallel and shuffled; here on hand-made results and message streams.
import { expect } from 'chai';
import { Envelope } from '@cucumber/messages';
import { compareOutcomes, countByStatus, executionOrder, outcomes } from '../src/report/determinism';
import { ScenarioResult } from '../src/report/results';

const passed = (line: number, name = `s${line}`): ScenarioResult => ({ uri: 'features/a.feature', line, name, reqs: [], status: 'passed' });
const failed = (line: number, step: string, message: string): ScenarioResult => ({
  uri: 'features/a.feature',
  line,
  name: `s${line}`,
  reqs: [],
  status: 'failed',
  failure: { step, line: line + 3, message },
});

describe('determinism comparison', () => {
  it('finds no difference between runs with the same outcomes in another order', () => {
    const a = outcomes([passed(3), failed(9, 'Then x', 'expected 1 to equal 2')]);
    const b = outcomes([failed(9, 'Then x', 'expected 1 to equal 2'), passed(3)]);
    expect(compareOutcomes([{ label: 'serial', outcomes: a }, { label: 'parallel 2', outcomes: b }])).to.deep.equal([]);
    expect(countByStatus(a)).to.equal('1 failed, 1 passed');
  });

  it('names the scenario and each run\'s outcome when a status, the failing step or its error differ', () => {
    const serial = outcomes([passed(3), failed(9, 'Then x', 'expected 1 to equal 2'), failed(20, 'Then y', 'expected 0 to equal 1')]);
    const parallel = outcomes([passed(3), failed(9, 'Then x', 'expected 1 to equal 3'), passed(20)]);
    const shuffled = outcomes([failed(3, 'When z', 'boom'), failed(9, 'Then x', 'expected 1 to equal 2'), failed(20, 'Then y', 'expected 0 to equal 1')]);
    const diffs = compareOutcomes([
      { label: 'serial', outcomes: serial },
      { label: 'parallel 2', outcomes: parallel },
      { label: 'random:1', outcomes: shuffled },
    ]);
    expect(diffs).to.deep.equal([
      'features/a.feature:3 "s3": serial: passed | random:1: failed: When z (line 6): boom',
      'features/a.feature:9 "s9": serial: failed: Then x (line 12): expected 1 to equal 2 | parallel 2: failed: Then x (line 12): expected 1 to equal 3',
      'features/a.feature:20 "s20": serial: failed: Then y (line 23): expected 0 to equal 1 | parallel 2: passed',
    ]);
  });

  it('reports a scenario that only one run has', () => {
    const diffs = compareOutcomes([
      { label: 'serial', outcomes: outcomes([passed(3)]) },
      { label: 'parallel 2', outcomes: outcomes([passed(3), passed(7)]) },
    ]);
    expect(diffs).to.deep.equal(['features/a.feature:7 "s7": serial: absent | parallel 2: passed']);
  });

  it('refuses two scenarios at one file and line (the key would hide one)', () => {
    expect(() => outcomes([passed(3), passed(3)])).to.throw(/two scenarios at features\/a\.feature:3/);
  });

  it('reads the order scenarios started in, first attempts only', () => {
    const pickle = (id: string, line: number) => ({ pickle: { id, uri: 'features/a.feature', location: { line, column: 1 }, name: id, language: 'en', steps: [], tags: [], astNodeIds: [] } });
    const envelopes = [
      pickle('p1', 3),
      pickle('p2', 9),
      { testCase: { id: 't1', pickleId: 'p1', testSteps: [] } },
      { testCase: { id: 't2', pickleId: 'p2', testSteps: [] } },
      { testCaseStarted: { id: 'a', testCaseId: 't2', attempt: 0, timestamp: { seconds: 0, nanos: 0 } } },
      { testCaseStarted: { id: 'b', testCaseId: 't1', attempt: 0, timestamp: { seconds: 0, nanos: 0 } } },
      { testCaseStarted: { id: 'c', testCaseId: 't1', attempt: 1, timestamp: { seconds: 0, nanos: 0 } } },
    ] as unknown as Envelope[];
    expect(executionOrder(envelopes)).to.deep.equal(['features/a.feature:9', 'features/a.feature:3']);
  });
});
