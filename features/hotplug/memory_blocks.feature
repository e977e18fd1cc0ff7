@epic:hotplug @feature:memory-blocks
Feature: Hot-added memory is managed in memory blocks
  Linux manages hot-pluggable memory in memory blocks of one size per machine
  (/sys/devices/system/memory/block_size_bytes). A hot-add creates one block device per
  block, offline unless auto-onlining is configured, so the number of blocks is what every
  per-block mechanism (notifiers, sysfs writes, log messages) scales with.

  @req:HP-BLOCKS @source=S000 @severity:critical
  Rule: HP-BLOCKS - memory blocks have the platform's block size and start offline

    Scenario Outline: the block size follows the architecture's rules (<why>)
      Given the <platform> machine
      When the administrator reads "/sys/devices/system/memory/block_size_bytes"
      Then the command prints "<hex>"

      Examples:
        | platform      | hex      | why                                                   |
        | qemu-q35      | 8000000  | x86_64 with less than 64 GiB of boot memory: 128 MiB  |
        | x86-tdx-cxl   | 8000000  | boot memory ends at 34 GiB, below 64 GiB: 128 MiB     |
        | arm64-mte-cxl | 8000000  | arm64 with 4K pages: 128 MiB sections                 |

    Scenario: arm64 with 64K pages uses 512 MiB blocks
      Given the arm64-mte-cxl machine
      And the platform has these settings:
        | page_size | 64K |
      When the administrator reads "/sys/devices/system/memory/block_size_bytes"
      Then the command prints "20000000"

    Scenario: x86_64 bare metal with 64 GiB or more of boot memory uses 2 GiB blocks
      Given a bare-metal x86_64 machine with this memory map:
        | range                   | type   | node |
        | 0x1000-0x9ffff          | usable | 0    |
        | 0x100000-0x7fffffff     | usable | 0    |
        | 0x100000000-0x107fffffff | usable | 0    |
      When the administrator reads "/sys/devices/system/memory/block_size_bytes"
      Then the command prints "80000000"
      And the kernel log shows no new messages

    Scenario: an x86_64 VM with 64 GiB or more picks the largest block size that divides the end of boot memory
      Given a virtual x86_64 machine with this memory map:
        | range                    | type   | node |
        | 0x1000-0x9ffff           | usable | 0    |
        | 0x100000-0x7fffffff      | usable | 0    |
        | 0x100000000-0x103fffffff | usable | 0    |
      When the administrator reads "/sys/devices/system/memory/block_size_bytes"
      Then the command prints "40000000"

    Scenario: 64 GiB of CXL memory hot-added through kmem is 512 offline blocks of 128 MiB
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the administrator reads "/sys/devices/system/memory/memory512/state"
      Then the command prints "offline"
      And the memory blocks in 0x1000000000-0x1fffffffff are 512 offline blocks

    Scenario: a 1 GiB DIMM becomes eight offline blocks with memhp_default_state=offline
      Given the qemu-q35 machine
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 offline blocks
      And "/proc/iomem" includes the line "100000000-13fffffff : System RAM"
      And MemTotal is unchanged

    Scenario: with memhp_default_state=online the new blocks are onlined at once
      Given the qemu-q35 machine
      And the kernel command line also has "memhp_default_state=online"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 online blocks
      And MemTotal has grown by 1 GiB

    Scenario: writing auto_online_blocks changes what later hot-adds do
      Given the qemu-q35 machine
      And "online_movable" was written to "/sys/devices/system/memory/auto_online_blocks"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 online blocks
      And "/sys/devices/system/memory/memory32/valid_zones" reads "Movable"

    Scenario: a hot-add that is not block aligned is refused as a whole
      Given the qemu-q35 machine
      And a 64 MiB DIMM "small" is hot-plugged
      When the hypervisor hot-plugs a 128 MiB DIMM "dimm2"
      Then the kernel log shows "Block size [0x8000000] unaligned hotplug range: start 0x104000000, size 0x8000000"
      And the kernel log shows "acpi PNP0C80:01: add_memory failed"
      And no memory block covers 0x104000000-0x10bffffff
      And "/proc/iomem" does not include "104000000-10bffffff : System RAM"

    Scenario: with memory_hotplug.memmap_on_memory=1 a 1 GiB DIMM is still exactly eight blocks
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 offline blocks
      And no memory block covers 0x140000000-0x147ffffff

    Scenario: a hot-add whose memmap cannot be allocated leaves no block, resource or memblock region behind
      Given the qemu-q35 machine
      And the administrator has run "memhold 952M --unmovable"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the kernel log shows "acpi PNP0C80:00: add_memory failed"
      And no memory block covers 0x100000000-0x13fffffff
      And "/proc/iomem" does not include "100000000-13fffffff : System RAM"
      And "/sys/kernel/debug/memblock/memory" does not include "0x0000000100000000"

    Scenario: with memory_hotplug.memmap_on_memory=1 each block carries its memmap, so the same hot-add succeeds
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And the administrator has run "memhold 952M --unmovable"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 offline blocks
      And "/proc/iomem" includes the line "100000000-13fffffff : System RAM"
