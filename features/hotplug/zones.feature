@epic:hotplug @feature:zone-choice
Feature: Onlined memory joins ZONE_NORMAL or ZONE_MOVABLE by Linux's zone rules
  `online` picks the zone with zone_for_pfn_range(): with the default contig-zones policy a
  block inherits the zone its range already intersects, else the kernel zone, unless
  movable_node is set; the auto-movable policy onlines to ZONE_MOVABLE while the
  MOVABLE:KERNEL ratio (301% of boot kernel memory by default) allows it, per memory group.
  online_kernel and online_movable always choose. valid_zones lists the default first.

  @req:HP-INTERCHANGE @source=S000
  Rule: HP-INTERCHANGE - the zone an online block joins follows the online policy

    Scenario: by default a block with no zone around it goes to ZONE_NORMAL
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory32/valid_zones" reads "Normal"

    Scenario: a block next to ZONE_MOVABLE does not inherit it (spans, not neighbours, count)
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator reads "/sys/devices/system/memory/memory33/valid_zones"
      Then the command prints "Normal Movable"

    Scenario: a block inside ZONE_MOVABLE's span inherits it
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And "online_movable" was written to "/sys/devices/system/memory/memory34/state"
      When the administrator writes "online" to "/sys/devices/system/memory/memory33/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory33/valid_zones" reads "Movable"

    Scenario: with movable_node the default zone is ZONE_MOVABLE
      Given the qemu-q35 machine
      And the kernel command line also has "movable_node"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory32/valid_zones"
      Then the command prints "Movable Normal"

    Scenario Outline: the auto-movable policy keeps MOVABLE within 301% of boot kernel memory (<size> DIMM)
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.online_policy=auto-movable"
      And a <size> DIMM "dimm1" is hot-plugged
      When the administrator writes "online" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory32/valid_zones" reads "<zone>"

      Examples:
        | size  | zone    |
        | 1 GiB | Movable |
        | 4 GiB | Normal  |

    Scenario: with memmap_on_memory each block carries its own memmap
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And MemTotal has grown by 126 MiB

    Scenario Outline: the auto-movable policy keeps CXL memory in ZONE_NORMAL when <why>
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And the hotplug-online-policy policy is auto-movable
      And the kernel command line also has "<parameter>"
      When the administrator writes "online" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory512/valid_zones" reads "Normal"

      Examples:
        | why                                                        | parameter                             |
        | its node has no boot kernel memory (NUMA-aware by default) | memory_hotplug.auto_movable_ratio=301 |
        | the ratio is 0                                             | memory_hotplug.auto_movable_ratio=0   |

    Scenario: with a ratio of 0 the auto-movable policy onlines a DIMM to ZONE_NORMAL
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And the kernel command line also has "memory_hotplug.auto_movable_ratio=0"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory32/valid_zones" reads "Normal"


    Scenario Outline: an offlined boot block below 4 GiB can go back to ZONE_DMA32 (<policy>)
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is <policy>
      And "offline" was written to "/sys/devices/system/memory/memory3/state"
      When the administrator reads "/sys/devices/system/memory/memory3/valid_zones"
      Then the command prints "<zones>"

      Examples:
        | policy       | zones         |
        | contig-zones | DMA32 Movable |
        | auto-movable | Movable DMA32 |

    Scenario: an offlined boot block below 4 GiB onlines back into ZONE_DMA32
      Given the qemu-q35 machine
      And "offline" was written to "/sys/devices/system/memory/memory3/state"
      When the administrator writes "online" to "/sys/devices/system/memory/memory3/state"
      Then the write succeeds
      And "/sys/devices/system/memory/memory3/valid_zones" reads "DMA32"

    Scenario Outline: under auto-movable, a DIMM whose first block went to <zone> keeps the rest there
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And a 3 GiB DIMM "dimm1" is hot-plugged
      And "<type>" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator reads "/sys/devices/system/memory/memory33/valid_zones"
      Then the command prints "<zones>"

      Examples:
        | type           | zone         | zones          |
        | online_kernel  | ZONE_NORMAL  | Normal Movable |
        | online_movable | ZONE_MOVABLE | Movable Normal |

    Scenario: under auto-movable, memory already in ZONE_MOVABLE counts against the ratio
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And "online_movable" was written to "/sys/devices/system/memory/auto_online_blocks"
      And a 2 GiB DIMM "dimm1" is hot-plugged
      And "offline" was written to "/sys/devices/system/memory/auto_online_blocks"
      And a 2 GiB DIMM "dimm2" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory48/valid_zones"
      Then the command prints "Normal Movable"

    Scenario: under auto-movable, hot-added memory in ZONE_NORMAL does not raise the ratio's base
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And "online_kernel" was written to "/sys/devices/system/memory/auto_online_blocks"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "offline" was written to "/sys/devices/system/memory/auto_online_blocks"
      And a 4 GiB DIMM "dimm2" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory40/valid_zones"
      Then the command prints "Normal Movable"

    Scenario: under auto-movable, offlined boot memory lowers what ZONE_MOVABLE may hold
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And "offline" was written to "/sys/devices/system/memory/memory3/state"
      And a 3 GiB DIMM "dimm1" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory32/valid_zones"
      Then the command prints "Normal Movable"

    Scenario: under auto-movable, a 3 GiB DIMM fits within 301% of 1 GiB of boot kernel memory
      Given the qemu-q35 machine
      And the hotplug-online-policy policy is auto-movable
      And a 3 GiB DIMM "dimm1" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory32/valid_zones"
      Then the command prints "Movable Normal"

    Scenario: under auto-movable, ZONE_MOVABLE on another node counts against the system-wide ratio
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And the numa-capability-mismatch policy is mix
      And the hotplug-online-policy policy is auto-movable
      And the kernel command line also has "memory_hotplug.auto_movable_ratio=150"
      And the administrator has run "daxctl online-memory dax0.0"
      And a 1 GiB DIMM "dimm1" is hot-plugged on node 1
      When the administrator reads "/sys/devices/system/memory/memory272/valid_zones"
      Then the command prints "Normal Movable"
      And "/sys/devices/system/memory/memory512/valid_zones" reads "Movable"

    Scenario: a vetoed online next to ZONE_MOVABLE shrinks the zone back to what is online
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And the administrator has tried "echo online_movable > /sys/devices/system/memory/memory33/state"
      When the administrator reads "/sys/devices/system/memory/memory33/valid_zones"
      Then the command prints "Normal Movable"

    Scenario: with memmap_on_memory, offlining the last block of ZONE_MOVABLE shrinks the zone past its memmap
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And "online_movable" was written to "/sys/devices/system/memory/memory33/state"
      And "offline" was written to "/sys/devices/system/memory/memory33/state"
      When the administrator reads "/sys/devices/system/memory/memory33/valid_zones"
      Then the command prints "Normal Movable"

    Scenario Outline: kmem puts the memmap on the memory only when the dax device asks for it (memmap_on_memory=<attr>)
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/unbind"
      And "<attr>" was written to "/sys/bus/dax/devices/dax0.0/memmap_on_memory"
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/bind"
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And MemTotal has grown by <size>

      Examples:
        | attr | size    |
        | 0    | 128 MiB |
        | 1    | 126 MiB |
