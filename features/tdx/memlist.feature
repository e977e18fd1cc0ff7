@epic:tdx @feature:tdx-memory-list
Feature: TDX memory is a snapshot of memblock
  build_tdx_memlist() takes every memblock memory region, in ascending order, with its node,
  dropping the first 1 MiB. TDMRs are built to cover those regions, each with a PAMT on the
  node of the memory it describes; the PAMT size Linux reports follows from the list.

  Background:
    Given the x86-tdx-cxl machine
    And the kernel command line also has "modprobe.blacklist=kmem"

  @req:TDX-MEMLIST @source=S004 @severity:normal
  Rule: TDX-MEMLIST - the TDX memory list is memblock at snapshot time, per region and node, above 1 MiB

    Scenario: the PAMT for boot memory is what the memory map implies
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: 131340 KB allocated for PAMT$"

    Scenario: each PAMT lives on the node of the memory it describes
      When the administrator loads kvm_intel with TDX
      Then "/sys/devices/system/node/node1/meminfo" includes the line "Node 1 MemUsed:           65668 kB"

    Scenario: boot memory is TDX memory and may go offline and online again
      Given the TDX module is initialized
      And "offline" was written to "/sys/devices/system/memory/memory200/state"
      When the administrator writes "online" to "/sys/devices/system/memory/memory200/state"
      Then the write succeeds
      And memory block 200 is online
