import { expect } from 'chai';
import { Clock, NSEC_PER_SEC } from '../src/kernel/clock';
import { Printk, RateLimit, KERN_ERR, KERN_DEBUG, formatDmesgLine } from '../src/kernel/printk';

describe('printk', () => {
  it('formats dmesg lines with seconds and microseconds', () => {
    const c = new Clock();
    const p = new Printk(c);
    c.advance(14 * NSEC_PER_SEC + 1_000_000);
    p.emit(KERN_ERR, 'hello');
    expect(formatDmesgLine(p.all()[0])).to.equal('[   14.001000] hello');
  });

  it('records pr_debug lines only while dynamic debug enables their callsite', () => {
    const p = new Printk(new Clock());
    const site = p.dyndbg.register({ file: 'mm/memory_hotplug.c', func: 'online_pages', module: 'memory_hotplug', format: 'x' });
    p.debug(site, 'before');
    expect(p.dyndbg.exec('file memory_hotplug.c +p')).to.equal(1);
    p.debug(site, 'after');
    expect(p.dyndbg.exec('func online_pages -p')).to.equal(1);
    p.debug(site, 'later');
    expect(p.all().map((r) => [r.level, r.text])).to.deep.equal([[KERN_DEBUG, 'after']]);
    expect(p.dyndbg.exec('bogus keyword +p')).to.equal(-22);
    expect(p.dyndbg.exec('file x.c +z')).to.equal(-22);
  });

  it('rate limiting prints the burst, then reports what it suppressed when the interval ends', () => {
    const c = new Clock();
    const p = new Printk(c);
    const rs = new RateLimit('tdx_memory_notifier', 5 * NSEC_PER_SEC, 10);
    for (let i = 0; i < 512; i++) p.ratelimited(rs, KERN_ERR, `msg ${i}`);
    expect(p.all()).to.have.lengthOf(10);
    c.advance(5 * NSEC_PER_SEC);
    p.ratelimited(rs, KERN_ERR, 'next');
    expect(p.all().slice(10).map((r) => r.text)).to.deep.equal(['tdx_memory_notifier: 502 callbacks suppressed', 'next']);
  });
});
