import { expect } from 'chai';
import { ResourceTree, Resource, IORESOURCE_BUSY, IORESOURCE_MEM, IORESOURCE_SYSTEM_RAM, REGION_DISJOINT, REGION_INTERSECTS, REGION_MIXED } from '../src/kernel/resource';

describe('resource tree', () => {
  it('prints /proc/iomem with two spaces per level and at least 8 hex digits', () => {
    const t = new ResourceTree(2 ** 46 - 1);
    t.insertResource(new Resource(0x100000, 0x3ffdefff, 'System RAM', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    t.insertResource(new Resource(0x1000000, 0x1ffffff, 'Kernel code', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    expect(t.show()).to.equal('00100000-3ffdefff : System RAM\n  01000000-01ffffff : Kernel code\n');
  });

  it('request_region descends into non-busy resources and fails on busy ones', () => {
    const t = new ResourceTree(2 ** 46 - 1);
    const win = new Resource(0x1000000000, 0x1fffffffff, 'CXL Window 0', IORESOURCE_MEM);
    t.insertResource(win);
    const r = t.requestRegion(0x1000000000, 0x1000000000, 'dax0.0');
    expect(r).to.not.equal(null);
    expect(r!.parent).to.equal(win);
    expect(t.requestRegion(0x1000000000, 0x8000000, 'again')).to.equal(null);
  });

  it('insert_resource adopts resources the new one contains and refuses partial overlaps', () => {
    const t = new ResourceTree(0xffffffff);
    t.insertResource(new Resource(0xb0000000, 0xbfffffff, 'Reserved'));
    expect(t.insertResource(new Resource(0xb0000000, 0xbfffffff, 'PCI ECAM'))).to.equal(null);
    expect(t.show()).to.equal('b0000000-bfffffff : PCI ECAM\n  b0000000-bfffffff : Reserved\n');
    expect(t.insertResource(new Resource(0xa0000000, 0xb0000fff, 'partial'))).to.not.equal(null);
  });

  it('walk_system_ram_range does not count nested System RAM twice', () => {
    const t = new ResourceTree(2 ** 46 - 1);
    t.insertResource(new Resource(0, 0x7ffffff, 'System RAM', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    t.insertResource(new Resource(0x1000000, 0x1ffffff, 'Kernel code', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    expect(t.systemRamPages(0, 0x8000, 4096)).to.equal(0x8000);
  });

  it('region_intersects tells disjoint, intersecting and mixed apart', () => {
    const t = new ResourceTree(2 ** 46 - 1);
    t.insertResource(new Resource(0x100000, 0x1fffff, 'System RAM', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    t.insertResource(new Resource(0x200000, 0x2fffff, 'Reserved'));
    expect(t.regionIntersects(0x100000, 0x100000, IORESOURCE_SYSTEM_RAM, 0)).to.equal(REGION_INTERSECTS);
    expect(t.regionIntersects(0x100000, 0x200000, IORESOURCE_SYSTEM_RAM, 0)).to.equal(REGION_MIXED);
    expect(t.regionIntersects(0x200000, 0x100000, IORESOURCE_SYSTEM_RAM, 0)).to.equal(REGION_DISJOINT);
  });

  it('release_mem_region_adjustable trims or splits the busy resource', () => {
    const t = new ResourceTree(2 ** 46 - 1);
    t.insertResource(new Resource(0x100000000, 0x13fffffff, 'System RAM', IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    t.releaseMemRegionAdjustable(0x108000000, 0x8000000);
    expect(t.show()).to.equal('100000000-107ffffff : System RAM\n110000000-13fffffff : System RAM\n');
  });
});
