import { expect } from 'chai';
import { BlockingNotifierChain, NOTIFY_BAD, NOTIFY_OK, NOTIFY_STOP, notifierFromErrno, notifierToErrno } from '../src/kernel/notifier';
import { kstrtobool, mhpOnlineTypeFromStr, sysfsStreq } from '../src/mm/memory_block';
import { kstrtoull } from '../src/mm/memory_block_sysfs';

describe('notifier algebra', () => {
  it('NOTIFY_BAD is -EPERM and errno round-trips', () => {
    expect(NOTIFY_BAD).to.equal(0x8002);
    expect(notifierToErrno(NOTIFY_BAD)).to.equal(-1);
    expect(notifierToErrno(NOTIFY_OK)).to.equal(0);
    expect(notifierToErrno(NOTIFY_STOP)).to.equal(0);
    expect(notifierToErrno(notifierFromErrno(-16))).to.equal(-16);
  });

  it('calls higher priorities first and stops at a STOP_MASK return', () => {
    const chain = new BlockingNotifierChain<null>();
    const seen: string[] = [];
    chain.register({ name: 'low', priority: 0, call: () => (seen.push('low'), NOTIFY_OK) });
    chain.register({ name: 'high', priority: 10, call: () => (seen.push('high'), NOTIFY_BAD) });
    chain.register({ name: 'low2', priority: 0, call: () => (seen.push('low2'), NOTIFY_OK) });
    expect(chain.names).to.deep.equal(['high', 'low', 'low2']);
    expect(chain.call(1, null)).to.equal(NOTIFY_BAD);
    expect(seen).to.deep.equal(['high']);
  });
});

describe('sysfs input parsing', () => {
  it('kstrtobool accepts what the kernel accepts', () => {
    for (const t of ['1', 'y', 'Y', 'on', 'true', 'enable', 'online']) expect(kstrtobool(t), t).to.equal(true);
    for (const f of ['0', 'n', 'off', 'false', 'disable']) expect(kstrtobool(f), f).to.equal(false);
    for (const bad of ['', 'x', 'o', '2']) expect(kstrtobool(bad), bad).to.equal(-22);
  });

  it('online types and sysfs_streq allow one trailing newline only', () => {
    expect(mhpOnlineTypeFromStr('online_movable\n')).to.equal(3);
    expect(mhpOnlineTypeFromStr('online\n\n')).to.equal(-22);
    expect(sysfsStreq('offline', 'offline\n')).to.equal(true);
  });

  it('kstrtoull takes hex, octal and decimal and refuses junk', () => {
    expect(kstrtoull('0x100000000\n')).to.equal(0x100000000);
    expect(kstrtoull('010')).to.equal(8);
    expect(kstrtoull('12abc')).to.equal(-22);
    expect(kstrtoull('0x10000000000000000')).to.equal(-34);
  });
});
