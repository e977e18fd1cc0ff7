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
  {
    id: 'tdx-hotplug-guard',
    title: 'What keeps non-TDX memory out of the page allocator on a TDX host',
    source: 'S004 v6, S001 approaches 1 and 2, Linux v6.8+, S000',
    choices: {
      owner: 'nothing enforced; the machine owner must not hot-add (S004 v6)',
      'reject-platform': 'refuse every System RAM hot-add in add_memory_resource() on a TDX platform (S001 approach 1)',
      'cmr-init-lock': 'refuse once the module is initialized, else refuse outside the CMRs; serialized with initialization (S001 approach 2)',
      'online-notifier': 'tdx_memory_notifier vetoes MEM_GOING_ONLINE of each block outside the TDX memory list, silently (Linux v6.8+)',
      'whole-range': 'arch_check_hotplug_memory_range() refuses the whole range once, with one log line (S000)',
      'whole-range-serialized':
        'the S000 check taken under the module lock, so a hot-add waits for an initialization in progress (synthesis: S000 + the serialization of S001 approach 2, which Dave Hansen asked S000 to explain)',
    },
  },
  {
    id: 'tdx-snapshot-time',
    title: 'When the TDX memory list is taken from memblock',
    source: 'S004 v6 (boot) vs Linux v6.8-v7.0 (first module initialization)',
    choices: {
      boot: 'in tdx_init() at boot, before any hot-add (S004 v6; the newest tree initializes at boot too)',
      'module-init': 'in init_tdx_module(), so memory hot-added before it is included',
    },
  },
  {
    id: 'tdx-module-init',
    title: 'When the TDX module is initialized, and the messages and states of that era',
    source: 'arch/x86/virt/vmx/tdx/tdx.c v6.8-v7.0 vs commit 165e77353831',
    choices: {
      'kvm-load': 'tdx_enable() from kvm_intel (modprobe kvm_intel tdx=1); states UNINITIALIZED/INITIALIZED/ERROR',
      boot: 'subsys_initcall(tdx_enable) at boot; "TDX-Module initialized"; no ERROR state',
    },
  },
  {
    id: 'numa-crypto-sysfs',
    title: 'Per-node encryption capability in sysfs (nodeN/crypto_capable)',
    source: 'S003 (never merged)',
    choices: {
      absent: 'no such file (upstream Linux)',
      present: '/sys/devices/system/node/nodeN/crypto_capable reads 1 if all the node\'s memory can be encrypted',
    },
  },
  {
    id: 'numa-capability-mismatch',
    title: 'Hot-add into a node whose encryption capability differs',
    source: 'S003 (Dave Hansen)',
    choices: {
      mix: 'add it to the node anyway (what Linux does; the node\'s capability becomes wrong)',
      discard: 'refuse it until the next reboot',
      'synthetic-node': 'put it into a new node of its own',
    },
  },
  {
    id: 'mte-hotplug-guard',
    title: 'What keeps non-taggable memory out of the buddy allocator with MTE enabled (arm64)',
    source: 'S000 (Dan Williams, Yang Shi, David Hildenbrand), S002 (Catalin Marinas)',
    choices: {
      'assume-taggable': 'hot-added memory is mapped Normal Tagged and nothing is checked (Linux)',
      'arch-check': 'an arm64 arch_check_hotplug_memory_range() asks the CXL subsystem (EMD) and the platform, refusing non-taggable ranges from any source (S000, Dan Williams)',
      'cxl-region': 'the CXL driver marks regions without EMD as not online-capable; other sources unchecked (S000, Dan Williams)',
      'driver-flag': 'kmem passes a flag with add_memory_driver_managed() for memory it knows is not taggable (S000, Yang Shi and David Hildenbrand)',
      'no-mte': 'a platform that cannot tag hot-added memory does not advertise MTE (S002, Catalin Marinas)',
    },
  },
  {
    id: 'mte-hugetlb',
    title: 'Whether hugetlb mappings may carry PROT_MTE',
    source: 'arch/arm64/include/asm/mman.h: hugetlb MTE support since v6.13 (25c17c4b55de)',
    choices: {
      allowed: 'MAP_HUGETLB and hugetlbfs files get VM_MTE_ALLOWED (v6.13+)',
      refused: 'no VM_MTE_ALLOWED for hugetlb (before v6.13, with the stable fix)',
    },
  },
  {
    id: 'kvm-stage2-type',
    title: 'How KVM arm64 picks the stage-2 memory type',
    source: 'S002; arch/arm64/kvm/mmu.c before and after the v6.9/v6.17 series',
    choices: {
      'pfn-map-memory': 'struct-page (pfn_is_map_memory) memory is cacheable, everything else Device (before S002)',
      'vma-flags': 'the VMA decides: cacheable attribute, VM_MTE_ALLOWED for MTE VMs, VM_ALLOW_ANY_UNCACHED for Normal-NC, FWB+DIC for cacheable PFNMAP (merged)',
    },
  },
];

export type Policy = Readonly<Record<string, string>>;

export function dimension(id: string): Dimension {
  const d = DIMENSIONS.find((x) => x.id === id);
  if (!d) throw new Error(`unknown policy dimension "${id}"; known: ${DIMENSIONS.map((x) => x.id).join(', ')}`);
  return d;
}
