import { expect } from 'chai';
import { count, emptyCounts, merge, score, strictScore, subsystemOf } from '../scripts/mutation-score';

const mutant = (id: string, status: string, line = 1) => ({
  id,
  mutatorName: 'ConditionalExpression',
  replacement: 'true',
  location: { start: { line, column: 1 }, end: { line, column: 5 } },
  status,
});

describe('mutation score (scripts/mutation-score.ts)', () => {
  it('files each model file under its subsystem', () => {
    expect(subsystemOf('src/x86/tdx/seam.ts')).to.equal('tdx');
    expect(subsystemOf('src/mm/mmap.ts')).to.equal('mte');
    expect(subsystemOf('src/arm64/kvm/mmu.ts')).to.equal('kvm');
    expect(subsystemOf('src/mm/memory_hotplug.ts')).to.equal('hotplug');
    expect(subsystemOf('src/policy/profiles.ts')).to.equal('policy');
    expect(subsystemOf('src/cxl/region.ts')).to.equal('cxl');
  });

  it('scores detected over valid mutants, and strictly with ignored ones counted as survivors', () => {
    const c = emptyCounts();
    for (const s of ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError']) count(c, s as never);
    expect(score(c)).to.equal(60);
    expect(strictScore(c)).to.equal(50);
    expect(Number.isNaN(score(emptyCounts()))).to.equal(true);
  });

  it('counts a mutant the unit pass kills as killed, and only that one', () => {
    const features = { files: { 'src/policy/profiles.ts': { source: '', mutants: [mutant('1', 'Survived', 1), mutant('2', 'NoCoverage', 2), mutant('3', 'Killed', 3)] } } };
    const unit = { files: { 'src/policy/profiles.ts': { source: '', mutants: [mutant('a', 'Killed', 1), mutant('b', 'Survived', 2), mutant('c', 'Survived', 3)] } } };
    const m = merge(features as never, unit as never);
    expect(m.map((x) => [x.mutant.location.start.line, x.mutant.status, x.by])).to.deep.equal([
      [1, 'Killed', 'unit'],
      [2, 'NoCoverage', undefined],
      [3, 'Killed', 'features'],
    ]);
  });
});
