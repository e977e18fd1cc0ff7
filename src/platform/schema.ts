// The platform file format: hardware as firmware reports it to Linux. Everything a scenario
// or a user can set about a machine lives here; the kernel model only reads the normalized
// Platform this file is turned into.

import { z } from 'zod';
import { parseRange, parseSize, isPowerOfTwo } from '../util/units';

const where = 'platform';

function sizeField() {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return typeof v === 'number' ? v : parseSize(v, where);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a size such as 64G or 0x8000000 (${(e as Error).message.split(': ').pop()})` });
      return z.NEVER;
    }
  });
}

function rangeField() {
  return z.string().transform((v, ctx) => {
    try {
      return parseRange(v, where);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not an inclusive range such as 0x100000-0x7fffffff` });
      return z.NEVER;
    }
  });
}

/** e820 types, named as the kernel names them in /proc/iomem (arch/x86/kernel/e820.c). */
export const E820_TYPES = {
  usable: 'System RAM',
  reserved: 'Reserved',
  acpi: 'ACPI Tables',
  nvs: 'ACPI Non-volatile Storage',
  unusable: 'Unusable memory',
  pmem: 'Persistent Memory',
  pram: 'Persistent Memory (legacy)',
  'soft-reserved': 'Soft Reserved',
} as const;
export type E820Type = keyof typeof E820_TYPES;

const memoryMapEntry = z.strictObject({
  range: rangeField(),
  type: z.enum(Object.keys(E820_TYPES) as [E820Type, ...E820Type[]]),
  node: z.number().int().min(0).max(1023).optional(),
  /** EFI_MEMORY_CPU_CRYPTO on this range (S003); default: inside a CMR on TDX platforms. */
  crypto: z.boolean().optional(),
  /** Can this memory store MTE allocation tags? Default: usable boot RAM can, the rest cannot. */
  tags: z.boolean().optional(),
});

const hotplugRange = z.strictObject({
  range: rangeField(),
  node: z.number().int().min(0).max(1023),
  /** Whether memory plugged here can be encrypted by the CPU (S003); default false. */
  crypto: z.boolean().optional(),
  /** Whether memory plugged here can store MTE tags; the platform does not promise it by default. */
  tags: z.boolean().default(false),
});

/** TDX as the BIOS and the TDX module report it (KERNEL-FACTS §1). */
const tdxSection = z.strictObject({
  /** SEAMRR enabled by the BIOS (TDX turned on). */
  seamrr: z.boolean().default(true),
  /** IA32_MKTME_KEYID_PARTITIONING: low 32 bits MKTME KeyIDs, high 32 bits TDX KeyIDs. */
  keyid_partitioning: z.strictObject({ mktme: z.number().int().min(0).max(65535), tdx: z.number().int().min(0).max(65535) }),
  /** Convertible Memory Regions the BIOS reports (what the TDX module accepts in TDMRs). */
  cmrs: z.array(rangeField()).min(1).max(32),
  /** Is a TDX module loaded by the BIOS/P-SEAMLDR? Without one the first SEAMCALL fails. */
  module_loaded: z.boolean().default(true),
  module: z
    .strictObject({
      version: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version such as 1.5.08').default('1.5.08'),
      max_tdmrs: z.number().int().min(1).max(1024).default(64),
      max_reserved_per_tdmr: z.number().int().min(1).max(1024).default(16),
      pamt_entry_size: z
        .strictObject({ '4k': z.number().int().min(1), '2m': z.number().int().min(1), '1g': z.number().int().min(1) })
        .default({ '4k': 16, '2m': 16, '1g': 16 }),
      /** TDX_FEATURES0_NO_RBP_MOD: without it Linux refuses the module. */
      no_rbp_mod: z.boolean().default(true),
    })
    .default({ version: '1.5.08', max_tdmrs: 64, max_reserved_per_tdmr: 16, pamt_entry_size: { '4k': 16, '2m': 16, '1g': 16 }, no_rbp_mod: true }),
});

const namedRange = z.strictObject({
  range: rangeField(),
  name: z.string().min(1),
});

const resourceEntry: z.ZodType<ResourceInput, unknown> = z.lazy(() =>
  z.strictObject({
    range: rangeField(),
    name: z.string().min(1),
    children: z.array(resourceEntry).optional(),
  }),
) as unknown as z.ZodType<ResourceInput, unknown>;
export interface ResourceInput {
  range: { start: number; end: number };
  name: string;
  children?: ResourceInput[];
}

const cxlDevice = z.strictObject({
  name: z.string().regex(/^mem[0-9]+$/, 'expected a memdev name such as mem0'),
  size: sizeField(),
  serial: z.union([z.string(), z.number()]).optional(),
  /** Component register capability IDs the device exposes (CXL 3.x 8.2.4): RAS 0x2, HDM 0x5, EMD 0x10. */
  capabilities: z.array(z.number().int().min(0).max(0xffff)).default([0x2, 0x5]),
});

const cxlWindow = z.strictObject({
  range: rangeField(),
  node: z.number().int().min(0).max(1023),
  /** CFMWS restrictions: which kinds of regions the window accepts. */
  restrictions: z.array(z.enum(['type2', 'type3', 'volatile', 'pmem', 'fixed'])).default(['type3', 'volatile']),
  interleave_granularity: sizeField().default(256),
  /** Does the platform carry MTE tags for this window? (no ACPI field exists; see README) */
  tags: z.boolean().default(false),
});

const cxlRegion = z.strictObject({
  /** A region the BIOS programmed (committed HDM decoders), which Linux assembles at boot. */
  window: z.number().int().min(0),
  devices: z.array(z.string()).min(1),
  interleave_granularity: sizeField().default(4096),
});

export const platformSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case name such as qemu-q35'),
  description: z.string().min(1),
  arch: z.enum(['x86_64', 'arm64']),
  page_size: sizeField().default(4096).refine((v) => [4096, 16384, 65536].includes(v), 'expected one of 4K, 16K, 64K'),
  virtual: z.boolean(),
  /**
   * x86_64 5-level paging (CPUID LA57 with CONFIG_X86_5LEVEL): MAX_PHYSMEM_BITS is 52 with it,
   * 46 (64 TiB) without, which bounds arch_get_mappable_range() and so every RAM address.
   */
  la57: z.boolean().default(false),
  firmware: z.enum(['seabios', 'uefi', 'acpi']).default('uefi'),
  packages: z.number().int().min(1).max(64).default(1),
  cpus: z.number().int().min(1).max(4096).default(2),
  cmdline: z.string().default(''),
  nodes: z.array(z.number().int().min(0).max(1023)).min(1),
  memory_map: z.array(memoryMapEntry).min(1),
  hotplug: z.array(hotplugRange).default([]),
  dimm_slots: z.number().int().min(0).max(256).default(0),
  /** Placement alignment of DIMMs in the hotplug window (QEMU: the backend's alignment). */
  dimm_alignment: sizeField().default(2 * 1024 * 1024).refine(isPowerOfTwo, 'expected a power of two'),
  hypervisor: z
    .strictObject({
      kind: z.literal('qemu'),
      command: z.string().min(1),
    })
    .optional(),
  kernel_image: z.strictObject({
    code: rangeField(),
    rodata: rangeField(),
    data: rangeField(),
    bss: rangeField(),
  }),
  early_allocations: z.array(namedRange).default([]),
  resources: z.array(resourceEntry).default([]),
  kconfig: z
    .strictObject({
      ARCH_MEMORY_PROBE: z.boolean().default(false),
      MEMORY_HOTREMOVE: z.boolean().default(true),
      /** CONFIG_HIBERNATION: TDX refuses to initialize while hibernation is available. */
      HIBERNATION: z.boolean().default(true),
    })
    .default({ ARCH_MEMORY_PROBE: false, MEMORY_HOTREMOVE: true, HIBERNATION: true }),
  tdx: tdxSection.optional(),
  /** VFIO devices whose BARs user space can mmap (/dev/vfio/devices/NAME). */
  vfio: z
    .array(
      z.strictObject({
        name: z.string().regex(/^vfio\d+$/, 'expected a name such as vfio0'),
        range: rangeField(),
        /** Device memory the driver maps cacheable (e.g. a coherent GPU), else an uncached BAR. */
        cacheable: z.boolean().default(false),
      }),
    )
    .default([]),
  /** arm64 CPU features that decide MTE and KVM stage-2 behaviour. */
  cpu: z
    .strictObject({
      /** ID_AA64PFR1_EL1.MTE >= 2: the CPUs implement MTE (the SoC may still not carry tags). */
      mte: z.boolean().default(false),
      /** FEAT_S2FWB: stage 2 can force write-back cacheability. */
      s2fwb: z.boolean().default(false),
      /** CTR_EL0.DIC: no I-cache invalidation needed for coherence. */
      dic: z.boolean().default(false),
    })
    .default({ mte: false, s2fwb: false, dic: false }),
  cxl: z
    .strictObject({
      devices: z.array(cxlDevice).default([]),
      windows: z.array(cxlWindow).default([]),
      regions: z.array(cxlRegion).default([]),
    })
    .optional(),
});

export type PlatformInput = z.input<typeof platformSchema>;
export type PlatformData = z.output<typeof platformSchema>;
