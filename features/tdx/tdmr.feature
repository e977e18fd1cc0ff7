@epic:tdx @feature:tdx-tdmrs
Feature: TDMRs cover TDX memory; holes and PAMTs inside them are reserved areas
  construct_tdmrs() covers the TDX memory list with 1 GiB-aligned TDMRs, one per region,
  a region that starts inside the previous TDMR continuing after it. Every hole of the list
  inside a TDMR, and every PAMT inside a TDMR, becomes a reserved area; the areas are sorted.
  TDH.SYS.CONFIG checks all of it: TDMRs ascending and disjoint, reserved areas ascending and
  disjoint, PAMTs only in reserved areas, and the non-reserved part of every TDMR convertible.
  Here node 0's boot memory has two firmware holes (one below 2 GiB, one at 8.5 GiB) and ends in
  the middle of a GiB, where node 1's starts; node 1's ends in the middle of a GiB too, where
  its hot-pluggable range begins. The CMRs leave the holes out.

  Background:
    Given the x86-tdx-cxl machine with this memory map:
      | range                     | type          | node |
      | 0x0-0xfff                 | reserved      |      |
      | 0x1000-0x9ffff            | usable        | 0    |
      | 0xa0000-0xfffff           | reserved      |      |
      | 0x100000-0x6fffffff       | usable        | 0    |
      | 0x70000000-0x77ffffff     | reserved      |      |
      | 0x78000000-0x7fffffff     | usable        | 0    |
      | 0x80000000-0x8fffffff     | reserved      |      |
      | 0xfe000000-0xffffffff     | reserved      |      |
      | 0x100000000-0x21fffffff   | usable        | 0    |
      | 0x220000000-0x227ffffff   | reserved      |      |
      | 0x228000000-0x45fffffff   | usable        | 0    |
      | 0x460000000-0x85fffffff   | usable        | 1    |
      | 0x1000000000-0x1fffffffff | soft-reserved | 2    |
    And the platform has these settings:
      | tdx.cmrs | [0x0-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x21fffffff, 0x228000000-0x85fffffff] |
      | hotplug  | [{ range: 0x860000000-0xfffffffff, node: 1 }]                                             |
    And the kernel command line also has "modprobe.blacklist=kmem"

  @req:TDX-MEMLIST @source=S004 @severity:normal
  Rule: TDX-MEMLIST - TDMRs cover the TDX memory list; its holes and the PAMTs are reserved areas

    Scenario: the module accepts TDMRs with holes, a GiB shared by two nodes and PAMTs inside
      Given TDX module initialization happens when kvm_intel loads
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log lines starting with "virt/tdx: " are:
        """
        virt/tdx: BIOS enabled: private KeyID range [32, 64)
        virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.
        virt/tdx: 131344 KB allocated for PAMT
        virt/tdx: module initialized
        """

    Scenario Outline: four TDMRs cover the memory; a module with <max> TDMRs <outcome>
      Given the platform has these settings:
        | tdx.module.max_tdmrs | <max> |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: <message>$"

      Examples:
        | max | outcome                  | message                                        |
        | 3   | has too few              | initialization failed: TDMRs exhausted\.       |
        | 4   | has none to spare        | consumed TDMRs reaching limit: 4 used out of 4 |
        | 7   | has three to spare       | consumed TDMRs reaching limit: 4 used out of 7 |
        | 8   | has four to spare        | 131344 KB allocated for PAMT                   |

    Scenario: with four TDMRs to spare Linux does not warn
      Given the platform has these settings:
        | tdx.module.max_tdmrs | 8 |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows no line matching "consumed TDMRs"
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario: with one reserved area per TDMR, Linux stops at the first TDMR's second hole
      Given TDX module initialization happens when kvm_intel loads
      And the platform has these settings:
        | tdx.module.max_reserved_per_tdmr | 1 |
      When the administrator loads kvm_intel with TDX
      Then the kernel log lines starting with "virt/tdx: " are:
        """
        virt/tdx: BIOS enabled: private KeyID range [32, 64)
        virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.
        virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.
        virt/tdx: module initialization failed (-28)
        """

    Scenario Outline: the first TDMR needs two reserved areas, the second four (three PAMTs and a hole); <max> <outcome>
      Given the platform has these settings:
        | tdx.module.max_reserved_per_tdmr | <max> |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: <message>$"

      Examples:
        | max | outcome        | message                                                                             |
        | 1   | are too few    | initialization failed: TDMR \[0x0, 0x80000000\): reserved areas exhausted\.                 |
        | 3   | are too few    | initialization failed: TDMR \[0x100000000, 0x240000000\): reserved areas exhausted\. |
        | 4   | are enough     | 131344 KB allocated for PAMT                                                        |

  @req:TDX-CMR @source=S004 @severity:critical
  Rule: TDX-CMR - only the non-reserved part of each TDMR has to be convertible

    Scenario Outline: <cmrs>: <outcome>
      Given the platform has these settings:
        | tdx.cmrs | <list> |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: <message>$"

      Examples:
        | cmrs                                             | outcome                                       | list                                                                                      | message                                                     |
        | CMRs that also cover the firmware holes          | TDX comes up                                  | [0x0-0x7fffffff, 0x100000000-0x85fffffff]                                                 | 131344 KB allocated for PAMT                                |
        | CMRs that leave out the first 1 MiB too          | TDX comes up: it is a reserved area            | [0x100000-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x21fffffff, 0x228000000-0x85fffffff] | 131344 KB allocated for PAMT                                |
        | CMRs that stop 1 GiB short of node 1's boot memory | the last TDMR is outside CMRs                 | [0x0-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x21fffffff, 0x228000000-0x81fffffff] | SEAMCALL \(0x000000000000002d\) failed: 0xc0000a0200000003 |
        | CMRs that leave out the last 256 MiB of the second TDMR | the second TDMR is outside CMRs | [0x0-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x21fffffff, 0x228000000-0x22fffffff, 0x240000000-0x85fffffff] | SEAMCALL \(0x000000000000002d\) failed: 0xc0000a0200000001 |
        | CMRs with a gap where node 1's 4K PAMT ends      | node 1's PAMT is outside CMRs                  | [0x0-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x21fffffff, 0x228000000-0x461ffffff, 0x464000000-0x85fffffff] | SEAMCALL \(0x000000000000002d\) failed: 0xc0000a1100000003 |
        | CMRs that leave out the 512 MiB below the hole at 8.5 GiB | the second TDMR is outside CMRs, its PAMTs are not | [0x0-0x6fffffff, 0x78000000-0x7fffffff, 0x100000000-0x1ffffffff, 0x228000000-0x85fffffff] | SEAMCALL \(0x000000000000002d\) failed: 0xc0000a0200000001 |

  @req:TDX-GUEST @source=S004 @severity:blocker
  Rule: TDX-GUEST - a page in a TDMR's reserved area is not TDX memory either

    Scenario: DDR hot-added into the hole at the end of node 1's TDMR cannot back a TD
      Given the tdx-hotplug-guard policy is owner
      And the numa-capability-mismatch policy is mix
      And the kernel command line also has "memhp_default_state=online_kernel"
      And the TDX module is initialized
      And a 4 GiB DIMM "dimm1" is hot-plugged
      And a TD "td1" of 18 GiB bound to node 1 is running
      When TD "td1" accepts all its memory
      Then the command reports "td: td1: KVM_RUN failed: Input/output error (TDH_MEM_PAGE_AUG 0xc000030000000008 for pfn 0x860000)"
      And the kernel log shows a line matching "^kvm_intel: SEAMCALL TDH_MEM_PAGE_AUG failed: 0xc000030000000008, "
