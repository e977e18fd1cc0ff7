@epic:hotplug @feature:hot-add-paths
Feature: Every hot-add that can reach the page allocator goes through add_memory_resource()
  ACPI memory devices call __add_memory(), dax/kmem (CXL, soft-reserved memory, NVDIMM in
  devdax mode) calls add_memory_driver_managed(), and the probe interface calls __add_memory();
  all three end in add_memory_resource(), which adds the range to memblock, creates the
  memory blocks and (driver-managed or not) the System RAM resource. One check placed there
  covers them all.

  @req:HP-ONEPATH @source=S001 @severity:critical
  Rule: HP-ONEPATH - ACPI, probe, kmem (CXL) and NVDIMM hot-adds share one path

    Scenario: an ACPI memory device (a QEMU DIMM)
      Given the qemu-q35 machine
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then 0x100000000-0x13fffffff was added through add_memory_resource() as "System RAM"

    Scenario: the probe interface, where the kernel has CONFIG_ARCH_MEMORY_PROBE
      Given the qemu-q35 machine
      And the platform has these settings:
        | kconfig.ARCH_MEMORY_PROBE | true |
      When the administrator writes "0x100000000" to "/sys/devices/system/memory/probe"
      Then the write succeeds
      And 0x100000000-0x107ffffff was added through add_memory_resource() as "System RAM"

    Scenario: CXL memory handed to kmem
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/unbind"
      And "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/bind"
      And "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/unbind"
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/kmem/bind"
      Then the write succeeds
      And 0x1000000000-0x1fffffffff was added through add_memory_resource() as "System RAM (kmem)"

    Scenario: legacy persistent memory (memmap=nn!ss) used as system RAM
      Given a virtual x86_64 machine with this memory map:
        | range                   | type   | node |
        | 0x1000-0x9fbff          | usable | 0    |
        | 0x100000-0x7fffffff     | usable | 0    |
        | 0x100000000-0x1ffffffff | pram   | 0    |
      And "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/unbind"
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/kmem/bind"
      Then the write succeeds
      And 0x100000000-0x1ffffffff was added through add_memory_resource() as "System RAM (kmem)"
      And "/proc/iomem" includes the line "100000000-1ffffffff : Persistent Memory (legacy)"

    Scenario: a notifier on the one path sees hot-added memory from every source
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory512/state"
      Then the write fails with EPERM
      And memory block 512 is offline

    Scenario Outline: the probe interface refuses <what> before add_memory_resource()
      Given the qemu-q35 machine
      And the platform has these settings:
        | kconfig.ARCH_MEMORY_PROBE | true |
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "<address>" to "/sys/devices/system/memory/probe"
      Then the write fails with <errno>
      And the kernel log shows "<message>"

      Examples:
        | what                                | address        | errno  | message                                                                                   |
        | a range that is already System RAM  | 0x100000000    | EEXIST | Unable to reserve System RAM region: 0000000100000000->0000000108000000                   |
        | a range beyond the addressable space | 0x400000000000 | E2BIG  | Hotplug memory [0x400000000000-0x400008000000] exceeds maximum addressable range [0-0x3fffffffffff]   |


    Scenario: the probe interface accepts the last block below the addressable limit
      Given the qemu-q35 machine
      And the platform has these settings:
        | kconfig.ARCH_MEMORY_PROBE | true |
      When the administrator writes "0x3ffff8000000" to "/sys/devices/system/memory/probe"
      Then the write succeeds
      And 0x3ffff8000000-0x3fffffffffff was added through add_memory_resource() as "System RAM"
