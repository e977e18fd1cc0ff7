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

  @req:TDX-MEMLIST @source=S004 @severity:normal
  Rule: TDX-MEMLIST - building TDX memory from the list fails the way Linux fails

    Scenario Outline: module initialization fails when <why>
      Given the platform has these settings:
        | <setting> | <value> |
      And the administrator has tried "modprobe kvm_intel tdx=1"
      When a TD "td1" of 64 MiB is created
      Then the command fails
      And the kernel log shows a line matching "^virt/tdx: <message>$"
      And the kernel log shows a line matching "initialization failed \(<errno>\)$"

      Examples:
        | why                                    | setting                          | value | message                                                                     | errno |
        | the module has fewer TDMRs than needed | tdx.module.max_tdmrs             | 2     | initialization failed: TDMRs exhausted\.                                     | -28   |
        | a TDMR needs more reserved areas       | tdx.module.max_reserved_per_tdmr | 1     | initialization failed: TDMR \[0x100000000, 0x480000000\): reserved areas exhausted\. | -28   |

    Scenario: few TDMRs to spare is warned about
      Given the platform has these settings:
        | tdx.module.max_tdmrs | 5 |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: consumed TDMRs reaching limit: 3 used out of 5$"
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario: a PAMT that starts where a TDMR ends takes none of that TDMR's reserved areas
      Given the platform has these settings:
        | tdx.module.max_reserved_per_tdmr | 2 |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: 131340 KB allocated for PAMT$"
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario: with no memory left for the PAMTs initialization fails with ENOMEM
      Given TDX module initialization happens when kvm_intel loads
      And almost all memory is held by unmovable kernel allocations
      When the administrator loads kvm_intel with TDX
      Then the command reports "modprobe: ERROR: could not insert 'kvm_intel': Cannot allocate memory"
      And the kernel log shows a line matching "^virt/tdx: module initialization failed \(-12\)$"

    Scenario: after a failed initialization, loading kvm_intel again is refused (TDX_MODULE_ERROR)
      Given TDX module initialization happens when kvm_intel loads
      And almost all memory is held by unmovable kernel allocations
      And the administrator has tried "modprobe kvm_intel tdx=1"
      And the administrator has run "memhold --release 1"
      When the administrator loads kvm_intel with TDX
      Then the command reports "modprobe: ERROR: could not insert 'kvm_intel': Invalid argument"

    Scenario Outline: in the newest tree the module is initialized at boot (<setting> <value>)
      Given the tdx-module-init policy is boot
      And the platform has these settings:
        | <setting> | <value> |
      When the administrator loads kvm_intel with TDX
      Then "/sys/module/kvm_intel/parameters/tdx" reads "<tdx>"
      And the kernel log shows a line matching "^virt/tdx: Module version: 1\.5\.08$"
      And the kernel log shows a line matching "^virt/tdx: <message>$"

      Examples:
        | setting                | value | tdx | message                                                           |
        | tdx.module.max_tdmrs   | 64    | Y   | TDX-Module initialized                                            |
        | tdx.module.max_tdmrs   | 2     | N   | TDX-Module initialization failed \(-28\)                          |
        | tdx.module.no_rbp_mod  | false | N   | frame pointer \(RBP\) clobber bug present, upgrade TDX module     |

    Scenario: a module with the RBP clobber bug fails initialization when kvm_intel loads
      Given TDX module initialization happens when kvm_intel loads
      And the platform has these settings:
        | tdx.module.no_rbp_mod | false |
      When the administrator loads kvm_intel with TDX
      Then the command reports "modprobe: ERROR: could not insert 'kvm_intel': Invalid argument"
      And the kernel log shows a line matching "^virt/tdx: frame pointer \(RBP\) clobber bug present, upgrade TDX module$"
      And the kernel log shows a line matching "^virt/tdx: module initialization failed \(-22\)$"
