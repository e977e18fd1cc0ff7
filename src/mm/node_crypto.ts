// Per-node encryption capability (S003, never merged) and what a hot-add does when its memory
// does not match the node's capability (S003, Dave Hansen: throw it away, or make a node).
// mirrors memblock_node_is_crypto_capable() and crypto_capable_show() of the S003 patches
// (v8/v9, docs/notes/tdx-facts.md §5). The patches compute the value once at boot; for a node
// whose first memory arrives by hotplug, the model takes that memory's capability (the
// patches leave it 0). The mismatch handling and its messages are model-defined: no patch
// implemented them.

import { E } from '../util/errno';
import { KERN_INFO, KERN_WARNING } from '../kernel/printk';
import { hex } from '../util/units';
import type { Machine } from '../machine';

export type MismatchPolicy = 'mix' | 'discard' | 'synthetic-node';

export class NodeCrypto {
  /** pgdat->crypto_capable; undefined until the node has memory. */
  private readonly capable = new Map<number, boolean>();

  constructor(private readonly m: Machine) {}

  // Read where they decide (src/policy/reads.ts).
  /** nodeN/crypto_capable exists. */
  get sysfs(): boolean {
    return this.m.policy['numa-crypto-sysfs'] === 'present';
  }

  get mismatch(): MismatchPolicy {
    return this.m.policy['numa-capability-mismatch'] as MismatchPolicy;
  }

  /** EFI_MEMORY_CPU_CRYPTO of a physical range, from the platform description. */
  rangeCapable(start: number, end: number): boolean {
    const p = this.m.platform;
    for (const e of p.memory_map) if (start >= e.range.start && end <= e.range.end && e.crypto !== undefined) return e.crypto;
    for (const h of p.hotplug) if (start >= h.range.start && end <= h.range.end && h.crypto !== undefined) return h.crypto;
    // Without an explicit attribute: on a TDX platform, convertible (CMR) memory can be encrypted.
    const cmrs = p.tdx?.cmrs ?? [];
    return cmrs.some((c) => start >= c.start && end <= c.end);
  }

  // mirrors free_area_init_node() -> memblock_node_is_crypto_capable(): every region of the
  // node must be capable; a mixed node is reported (arguments swapped, as in the patch).
  initAtBoot(): void {
    const byNode = new Map<number, { yes: number; no: number }>();
    for (const r of this.m.memblock.regions()) {
      const c = byNode.get(r.nid) ?? { yes: 0, no: 0 };
      if (this.rangeCapable(r.start, r.end)) c.yes++;
      else c.no++;
      byNode.set(r.nid, c);
    }
    for (const [nid, c] of byNode) {
      if (c.yes && c.no) this.m.log.emit(KERN_WARNING, `Node ${nid} has ${c.no} regions that are encryptable and ${c.yes} regions that aren't`);
      this.capable.set(nid, c.no === 0);
    }
  }

  nodeCapable(nid: number): boolean | undefined {
    return this.capable.get(nid);
  }

  // crypto_capable_show()
  show(nid: number): string {
    return `${this.capable.get(nid) ? 1 : 0}\n`;
  }

  /**
   * The node a hot-add of [start, start+size) into `nid` ends up in, or an error. Called from
   * add_memory_resource() before anything is created.
   */
  hotAddNode(nid: number, start: number, size: number): number {
    const memCap = this.rangeCapable(start, start + size);
    const nodeCap = this.capable.get(nid);
    if (nodeCap === undefined || nodeCap === memCap || this.mismatch === 'mix') {
      if (nodeCap === undefined) this.capable.set(nid, memCap);
      return nid;
    }
    const range = `[mem ${hex(start)}-${hex(start + size - 1)}]`;
    if (this.mismatch === 'discard') {
      this.m.log.emit(KERN_WARNING, `Node ${nid}: hot-added memory ${range} is ${memCap ? '' : 'not '}encryption capable, unlike the node; discarded until reboot`);
      return -E.EINVAL;
    }
    const synthetic = this.m.addSyntheticNode();
    this.capable.set(synthetic, memCap);
    this.m.log.emit(KERN_INFO, `Node ${nid}: hot-added memory ${range} differs in encryption capability; using synthetic node ${synthetic}`);
    return synthetic;
  }
}
