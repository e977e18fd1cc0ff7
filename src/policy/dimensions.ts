// Policy dimensions: each is one decision the threads (or Linux's own configuration) make in
// more than one way. A policy picks one choice per dimension; the model reads only the policy.

export interface Dimension {
  id: string;
  title: string;
  /** Where the decision lives in Linux, or which thread proposes the alternatives. */
  source: string;
  choices: Record<string, string>;
}

export const DIMENSIONS: readonly Dimension[] = [
  {
    id: 'hotplug-default-online',
    title: 'Auto-online default for hot-added memory (overridden by memhp_default_state=)',
    source: 'mm/Kconfig MHP_DEFAULT_ONLINE_TYPE_* (v6.14+); MEMORY_HOTPLUG_DEFAULT_ONLINE before',
    choices: {
      offline: 'new memory blocks stay offline until user space onlines them',
      online: 'online each new block with the default zone rules (MMOP_ONLINE)',
      online_kernel: 'online each new block to a kernel zone',
      online_movable: 'online each new block to ZONE_MOVABLE',
    },
  },
  {
    id: 'hotplug-online-policy',
    title: 'Zone choice for "online" (memory_hotplug.online_policy default)',
    source: 'mm/memory_hotplug.c online_policy',
    choices: {
      'contig-zones': 'keep zones contiguous: inherit the zone the range already intersects',
      'auto-movable': 'online to ZONE_MOVABLE while the MOVABLE:KERNEL ratio (301%) allows',
    },
  },
];

export type Policy = Readonly<Record<string, string>>;

export function dimension(id: string): Dimension {
  const d = DIMENSIONS.find((x) => x.id === id);
  if (!d) throw new Error(`unknown policy dimension "${id}"; known: ${DIMENSIONS.map((x) => x.id).join(', ')}`);
  return d;
}
