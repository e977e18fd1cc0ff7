import { expect } from 'chai';
import { BlockTable, MemoryBlock, MEM_OFFLINE } from '../src/mm/memory_block';

const block = (id: number) => new MemoryBlock(id, id, MEM_OFFLINE, null, 0, false);

describe('BlockTable (the memory_blocks xarray)', () => {
  it('iterates in block-id order whatever the insertion order, as xa_for_each() does', () => {
    const t = new BlockTable();
    for (const id of [9000, 3, 4096, 4095, 2 ** 25, 0]) t.set(id, block(id));
    expect([...t.keys()]).to.deep.equal([0, 3, 4095, 4096, 9000, 2 ** 25]);
    expect([...t.values()].map((b) => b.id)).to.deep.equal([0, 3, 4095, 4096, 9000, 2 ** 25]);
    expect(t.size).to.equal(6);
  });

  it('counts a replaced id once and forgets a deleted one', () => {
    const t = new BlockTable();
    t.set(7, block(7));
    t.set(7, block(7));
    expect(t.size).to.equal(1);
    expect(t.delete(7)).to.equal(true);
    expect(t.delete(7)).to.equal(false);
    expect(t.has(7)).to.equal(false);
    expect(t.get(7)).to.equal(undefined);
    expect(t.size).to.equal(0);
    expect([...t.values()]).to.deep.equal([]);
  });

  it('lists a block added or removed after an earlier listing', () => {
    const t = new BlockTable();
    t.set(2, block(2));
    expect([...t.keys()]).to.deep.equal([2]);
    t.set(1, block(1));
    expect([...t.keys()]).to.deep.equal([1, 2]);
    t.delete(2);
    expect([...t.values()].map((b) => b.id)).to.deep.equal([1]);
  });

  it('refuses an id that is not a block number', () => {
    const t = new BlockTable();
    expect(() => t.set(-1, block(0))).to.throw(RangeError, 'memory block id -1 is not a block number');
    expect(() => t.set(1.5, block(0))).to.throw(RangeError, 'memory block id 1.5 is not a block number');
  });
});
