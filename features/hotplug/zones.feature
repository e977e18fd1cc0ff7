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

