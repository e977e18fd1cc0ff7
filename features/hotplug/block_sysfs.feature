@epic:hotplug @feature:memory-block-sysfs
Feature: Memory block sysfs files answer as Linux does in every state
  drivers/base/memory.c and the generic `online` attribute of drivers/base/core.c decide
  what each write returns. `state` refuses a request for the state the block is already in
  (device_online()/device_offline() return 1, state_store() turns that into -EINVAL), while
  `online` treats the same request as a successful no-op. Read-only attributes refuse
  writes at open() with EACCES, for root too.

  @req:HP-BLOCKS @source=S000
  Rule: HP-BLOCKS - block files report and change block state with Linux's formats and errno values

    Scenario Outline: writing <value> to <file> of an offline block
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "<value>" to "/sys/devices/system/memory/memory32/<file>"
      Then <outcome>
      And memory block 32 is <state>

      Examples:
        | file   | value          | outcome                      | state   |
        | state  | online         | the write succeeds           | online  |
        | state  | online_kernel  | the write succeeds           | online  |
        | state  | online_movable | the write succeeds           | online  |
        | state  | offline        | the write fails with EINVAL  | offline |
        | state  | going-offline  | the write fails with EINVAL  | offline |
        | state  | 1              | the write fails with EINVAL  | offline |
        | online | 1              | the write succeeds           | online  |
        | online | on             | the write succeeds           | online  |
        | online | 0              | the write succeeds           | offline |
        | online | off            | the write succeeds           | offline |
        | online | yes            | the write succeeds           | online  |
        | online | x              | the write fails with EINVAL  | offline |

    Scenario Outline: writing <value> to <file> of an online block
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator writes "<value>" to "/sys/devices/system/memory/memory32/<file>"
      Then <outcome>
      And memory block 32 is <state>

      Examples:
        | file   | value          | outcome                      | state   |
        | state  | online         | the write fails with EINVAL  | online  |
        | state  | online_kernel  | the write fails with EINVAL  | online  |
        | state  | online_movable | the write fails with EINVAL  | online  |
        | state  | offline        | the write succeeds           | offline |
        | online | 1              | the write succeeds           | online  |
        | online | 0              | the write succeeds           | offline |

    Scenario Outline: <file> is read-only
      Given the qemu-q35 machine
      When the administrator writes "1" to "<path>"
      Then the command reports "bash: <path>: Permission denied"
      And the command fails

      Examples:
        | file             | path                                            |
        | phys_index       | /sys/devices/system/memory/memory1/phys_index   |
        | phys_device      | /sys/devices/system/memory/memory1/phys_device  |
        | removable        | /sys/devices/system/memory/memory1/removable    |
        | valid_zones      | /sys/devices/system/memory/memory1/valid_zones  |
        | block_size_bytes | /sys/devices/system/memory/block_size_bytes     |

    Scenario: without CONFIG_ARCH_MEMORY_PROBE there is no probe file to write
      Given the qemu-q35 machine
      When the administrator writes "0x100000000" to "/sys/devices/system/memory/probe"
      Then the command reports "bash: /sys/devices/system/memory/probe: Permission denied"

    Scenario Outline: reading <file> of memory block <block>
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator reads "/sys/devices/system/memory/memory<block>/<file>"
      Then the command prints "<value>"

      Examples:
        | block | file        | value          |
        | 32    | phys_index  | 00000020       |
        | 32    | state       | offline        |
        | 32    | online      | 0              |
        | 32    | removable   | 1              |
        | 32    | phys_device | 0              |
        | 32    | valid_zones | Normal Movable |
        | 1     | valid_zones | DMA32          |
        | 1     | online      | 1              |
        | 0     | valid_zones | none           |

    Scenario: auto_online_blocks shows the boot parameter and refuses unknown types
      Given the qemu-q35 machine
      When the administrator writes "sometimes" to "/sys/devices/system/memory/auto_online_blocks"
      Then the write fails with EINVAL
      And "/sys/devices/system/memory/auto_online_blocks" reads "offline"

  @req:HP-BLOCKS @source=S000
  Rule: HP-BLOCKS - offlining fails the way Linux fails it

    Scenario Outline: offlining boot memory block <block> fails with <errno> (<why>)
      Given the qemu-q35 machine
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory<block>/state"
      Then the write fails with <errno>
      And memory block <block> is online
      And the kernel log shows "<debug>"

      Examples:
        | block | errno  | why                                 | debug                                                                              |
        | 1     | EBUSY  | the kernel image is unmovable       | memory offlining [mem 0x08000000-0x0fffffff] failed due to failure to isolate range |
        | 7     | EINVAL | the block has a hole at its end     | memory offlining [mem 0x38000000-0x3fffffff] failed due to memory holes             |

    Scenario Outline: writing 0 to online of boot memory block <block> fails with <errno> (<why>)
      Given the qemu-q35 machine
      When the administrator writes "0" to "/sys/devices/system/memory/memory<block>/online"
      Then the write fails with <errno>
      And memory block <block> is online

      Examples:
        | block | errno  | why                             |
        | 0     | EINVAL | the block spans two zones       |
        | 1     | EBUSY  | the kernel image is unmovable   |
        | 7     | EINVAL | the block has a hole at its end |

    Scenario: a successful offline logs how many pages left, at debug level
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And memory block 32 is offline
      And the kernel log shows "Offlined Pages 32768"

    Scenario: a memory notifier that vetoes MEM_GOING_OFFLINE keeps the block online
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And a memory notifier vetoes MEM_GOING_OFFLINE with EBUSY
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory32/state"
      Then the write fails with EBUSY
      And memory block 32 is online
      And the kernel log shows "memory offlining [mem 0x100000000-0x107ffffff] failed due to notifier failure"

    Scenario: a block spanning two zones cannot be offlined at all
      Given the qemu-q35 machine
      When the administrator writes "offline" to "/sys/devices/system/memory/memory0/state"
      Then the write fails with EINVAL
      And the kernel log shows no new messages

    Scenario: free boot memory can be offlined on x86
      Given the qemu-q35 machine
      When the administrator writes "offline" to "/sys/devices/system/memory/memory3/state"
      Then the write succeeds
      And memory block 3 is offline
      And MemTotal has shrunk by 128 MiB

    Scenario: an unmovable kernel allocation keeps a hot-added block online
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_kernel" was written to "/sys/devices/system/memory/memory33/state"
      And "a driver" holds memory block 33 with unmovable memory
      When the administrator writes "offline" to "/sys/devices/system/memory/memory33/state"
      Then the write fails with EBUSY
      And memory block 33 is online

    Scenario: movable memory in use migrates away and the block goes offline
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory33/state"
      And "a process" holds memory block 33 with movable memory
      When the administrator writes "offline" to "/sys/devices/system/memory/memory33/state"
      Then the write succeeds
      And memory block 33 is offline

    Scenario: pinned memory cannot migrate and offlining ends on the signal that stops it
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory33/state"
      And "an RDMA buffer" holds memory block 33 with pinned memory
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory33/state"
      Then the write fails with EINTR
      And memory block 33 is online
      And the kernel log shows "memory offlining [mem 0x108000000-0x10fffffff] failed due to signal backoff"

    Scenario: on arm64 boot memory never goes offline
      Given the arm64-mte-cxl machine
      When the administrator writes "offline" to "/sys/devices/system/memory/memory40/state"
      Then the write fails with EPERM
      And the kernel log shows "Boot memory [140000000 148000000] offlining attempted"

    Scenario: on arm64 hot-added memory can go offline again
      Given the arm64-mte-cxl machine
      And the mte-hotplug-guard policy is no-mte
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And memory block 512 is offline

  @req:HP-BLOCKS @source=S000
  Rule: HP-BLOCKS - an ACPI eject offlines every block first, or leaves the DIMM in place

    Scenario: a DIMM whose blocks can go offline is ejected
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory33/state"
      When the hypervisor runs "device_del dimm1"
      Then the hypervisor lists 0 memory devices
      And no memory block covers 0x100000000-0x13fffffff
      And "/proc/iomem" does not include "100000000-13fffffff : System RAM"

    Scenario: a DIMM with a block that cannot go offline stays, and the other blocks come back online
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And "online_movable" was written to "/sys/devices/system/memory/memory33/state"
      And "an RDMA buffer" holds memory block 33 with pinned memory
      When the hypervisor runs "device_del dimm1"
      Then the hypervisor lists 1 memory device
      And the kernel log shows "memory memory33: Offline failed."
      And memory block 32 is online
      And memory block 33 is online
      And memory block 34 is offline

    Scenario Outline: ejecting one of two DIMMs removes its blocks only (memmap_on_memory=<memmap>)
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=<memmap>"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And a 1 GiB DIMM "dimm2" is hot-plugged
      When the hypervisor runs "device_del dimm1"
      Then the hypervisor lists 1 memory device
      And no memory block covers 0x100000000-0x13fffffff
      And the memory blocks in 0x140000000-0x17fffffff are 8 offline blocks
      And "/proc/iomem" does not include "100000000-13fffffff : System RAM"

      Examples:
        | memmap |
        | 0      |
        | 1      |
