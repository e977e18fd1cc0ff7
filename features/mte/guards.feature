@epic:mte @feature:mte-hot-add-guards
Feature: Each MTE hot-add guard of S000 refuses what it can see
  S000 proposes three places to keep memory that cannot store tags out of the buddy
  allocator while MTE is enabled: an arm64 arch_check_hotplug_memory_range() that asks the
  CXL subsystem and the platform about the whole range (any source; Dan Williams), the CXL
  driver marking regions without Extended Metadata on every member as not online-capable
  (Dan Williams), and a flag kmem passes to add_memory_driver_managed() (Yang Shi, David
  Hildenbrand). Each scenario states the guard it exercises (so MTE stays enabled on this
  platform), whatever the run's profile.

  Background:
    Given the arm64-mte-cxl machine

  @req:MTE-HOTADD @source=S000 @severity:critical
  Rule: MTE-HOTADD - with MTE enabled, memory that cannot store tags is refused as System RAM; memory that can is not

    Scenario Outline: a CXL region of mem1, which lacks Extended Metadata, under the <guard> guard
      Given the mte-hotplug-guard policy is <guard>
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem1"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the kernel log shows "<message>"
      And the kernel log shows "kmem dax0.0: probe with driver kmem failed with error -22"
      And no memory block covers 0x10000000000-0x107ffffffff

      Examples:
        | guard       | message                                                                                                          |
        | arch-check  | arm64: Reject hot-adding memory range: 0x10000000000-0x10800000000, it cannot store MTE tags.                    |
        | cxl-region  | kmem dax0.0: region0 is not online-capable: MTE is enabled and not every member device reports Extended Metadata |
        | driver-flag | memory hotplug: refusing [mem 0x10000000000-0x107ffffffff]: the driver says it cannot store MTE tags            |

    Scenario: an ACPI DIMM the platform does not promise to tag, under the arch check
      Given the mte-hotplug-guard policy is arch-check
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x1000000000-0x103fffffff
      And the kernel log shows "arm64: Reject hot-adding memory range: 0x1000000000-0x1040000000, it cannot store MTE tags."
      And the kernel log shows "acpi PNP0C80:00: add_memory failed"

    Scenario: a DIMM in a hotplug range the platform can tag passes the arch check
      Given every kind of hot-pluggable memory of the platform can store tags
      And the mte-hotplug-guard policy is arch-check
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x1000000000-0x103fffffff are 8 offline blocks
      And the kernel log shows no new messages

    Scenario Outline: a CXL region of mem0 alone under the <guard> guard becomes System RAM
      Given the mte-hotplug-guard policy is <guard>
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0"
      When the administrator runs "daxctl online-memory dax0.0"
      Then the command succeeds
      And some page of 0x10000000000-0x107ffffffff is in the page allocator

      Examples:
        | guard       |
        | arch-check  |
        | cxl-region  |
        | driver-flag |

    Scenario: a region of mem0 and mem1 is not online-capable under the cxl-region guard
      Given the mte-hotplug-guard policy is cxl-region
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0 mem1"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the kernel log shows "kmem dax0.0: region0 is not online-capable: MTE is enabled and not every member device reports Extended Metadata"

    Scenario Outline: a region of mem0 and mem1 is refused under the <guard> guard too
      Given the mte-hotplug-guard policy is <guard>
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0 mem1"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the kernel log shows "<message>"
      And no memory block covers 0x10000000000-0x10fffffffff

      Examples:
        | guard       | message                                                                                             |
        | arch-check  | arm64: Reject hot-adding memory range: 0x10000000000-0x11000000000, it cannot store MTE tags.       |
        | driver-flag | memory hotplug: refusing [mem 0x10000000000-0x10fffffffff]: the driver says it cannot store MTE tags |

    Scenario: persistent memory given to kmem is refused by the arch check
      Given the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0
      And the mte-hotplug-guard policy is arch-check
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the kernel log shows "arm64: Reject hot-adding memory range: 0x2000000000-0x2040000000, it cannot store MTE tags."
      And no memory block covers 0x2000000000-0x203fffffff

    Scenario Outline: with MTE off (arm64.nomte) the <guard> guard lets a region of mem1 become System RAM
      Given the kernel command line also has "arm64.nomte"
      And the mte-hotplug-guard policy is <guard>
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem1"
      When the administrator runs "daxctl online-memory dax0.0"
      Then the command succeeds
      And some page of 0x10000000000-0x107ffffffff is in the page allocator

      Examples:
        | guard       |
        | arch-check  |
        | cxl-region  |
        | driver-flag |

