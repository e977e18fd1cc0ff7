import { expect } from 'chai';
import { parseSize, parseAddress, parseRange, formatSize, hex, GiB, MiB } from '../src/util/units';
import { parseErrno, strerror, errnoName } from '../src/util/errno';

describe('units', () => {
  it('parses sizes in the forms scenarios and QEMU use', () => {
    expect(parseSize('64 GiB', 't')).to.equal(64 * GiB);
    expect(parseSize('128M', 't')).to.equal(128 * MiB);
    expect(parseSize('0x8000000', 't')).to.equal(128 * MiB);
    expect(parseSize('1.5 GiB', 't')).to.equal(1.5 * GiB);
    expect(parseSize('4096', 't')).to.equal(4096);
  });

  it('refuses ambiguous or malformed sizes, naming the value and where it came from', () => {
    expect(() => parseSize('64 GB', 'step X')).to.throw(/step X: "64 GB" is not a size.*ambiguous/);
    expect(() => parseSize('lots', 'step X')).to.throw(/step X: "lots" is not a size/);
    expect(() => parseSize('1.0000001 KiB', 'p')).to.throw(/whole number of bytes/);
  });

  it('keeps addresses exact and refuses what a JS number cannot hold', () => {
    expect(parseAddress('0x1_0000_0000', 'a')).to.equal(0x100000000);
    expect(() => parseAddress('0x20000000000000', 'a')).to.throw(/at most 2\^53 - 1/);
    expect(() => parseAddress('12zz', 'a')).to.throw(/is not a physical address/);
  });

  it('reads inclusive ranges as the kernel prints them', () => {
    expect(parseRange('0x1000-0x9fbff', 'r')).to.deep.equal({ start: 0x1000, end: 0x9fc00 });
    expect(() => parseRange('0x2000-0x1000', 'r')).to.throw(/end before start/);
  });

  it('formats sizes and hex like the kernel', () => {
    expect(formatSize(64 * GiB)).to.equal('64 GiB');
    expect(formatSize(1000)).to.equal('1000 B');
    expect(hex(0)).to.equal('0');
    expect(hex(0x8000000)).to.equal('0x8000000');
  });
});

describe('errno', () => {
  it('maps names, numbers and strerror texts', () => {
    expect(errnoName(-1)).to.equal('EPERM');
    expect(strerror(-22)).to.equal('Invalid argument');
    expect(parseErrno('EBUSY (Device or resource busy)', 'x')).to.equal('EBUSY');
    expect(() => parseErrno('EBUSY (Busy)', 'x')).to.throw(/reads "Device or resource busy"/);
    expect(() => parseErrno('EWHAT', 'x')).to.throw(/not an errno name/);
  });
});
