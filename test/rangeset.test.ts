import { expect } from 'chai';
import { RangeSet, RangeMap } from '../src/util/rangeset';

describe('RangeSet', () => {
  it('merges adjacent and overlapping ranges', () => {
    const s = new RangeSet();
    s.add(0, 10);
    s.add(10, 20);
    s.add(30, 40);
    s.add(15, 35);
    expect(s.toArray()).to.deep.equal([{ start: 0, end: 40 }]);
  });

  it('splits on removal and measures coverage', () => {
    const s = RangeSet.of([{ start: 0, end: 100 }]);
    s.remove(40, 60);
    expect(s.toArray()).to.deep.equal([{ start: 0, end: 40 }, { start: 60, end: 100 }]);
    expect(s.coverage(30, 70)).to.equal(20);
    expect(s.containsRange(60, 100)).to.equal(true);
    expect(s.intersects(40, 60)).to.equal(false);
    expect([...s.gaps(0, 100)]).to.deep.equal([{ start: 40, end: 60 }]);
  });

  it('costs ranges, not pages: a million adjacent adds stay one range', () => {
    const s = new RangeSet();
    for (let i = 0; i < 1_000_000; i++) s.add(i * 4096, (i + 1) * 4096);
    expect(s.count).to.equal(1);
  });
});

describe('RangeMap', () => {
  it('splits existing values when a range is set inside them', () => {
    const m = new RangeMap<string>();
    m.set(0, 100, 'a');
    m.set(40, 60, 'b');
    expect([...m].map((r) => [r.start, r.end, r.value])).to.deep.equal([[0, 40, 'a'], [40, 60, 'b'], [60, 100, 'a']]);
    m.clear(30, 70);
    expect([...m].map((r) => [r.start, r.end, r.value])).to.deep.equal([[0, 30, 'a'], [70, 100, 'a']]);
    expect(m.get(35)).to.equal(undefined);
    expect(m.get(75)).to.equal('a');
  });
});
