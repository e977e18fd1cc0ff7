@epic:tdx @feature:tdx-hot-add-guards
Feature: Each TDX hot-add guard keeps non-TDX memory out where its proposal puts the check
  The threads put the check that keeps non-TDX memory out of the page allocator in different
  places: refuse every System RAM hot-add on a TDX platform at the top of
  add_memory_resource() (S001 approach 1); refuse once the module is initialized and, before
  that, anything outside the CMRs, under the module lock (S001 approach 2); refuse the whole
  range in arch_check_hotplug_memory_range() with one log line (S000); or veto
  MEM_GOING_ONLINE of each block (Linux since v6.8). Each scenario states the guard and the
  era it exercises, so it checks that proposal whatever the run's profile.

  Background:
    Given the x86-tdx-cxl machine
    And the kernel command line also has "modprobe.blacklist=kmem"
    And the tdx-module-init policy is kvm-load
    And the numa-capability-mismatch policy is mix

  @req:TDX-AFTERINIT @source=S000 @source=S001 @severity:blocker
  Rule: TDX-AFTERINIT - after initialization a non-TDX hot-add never reaches the page allocator

    Scenario Outline: a DIMM hot-added after initialization under the <guard> guard is refused
      Given the tdx-hotplug-guard policy is <guard>
      And the TDX module is initialized
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff
      And the kernel log shows "acpi PNP0C80:00: add_memory failed"
      And the kernel log shows exactly <lines> new lines
      And MemTotal is unchanged
      And "/proc/iomem" does not include "880000000-8bfffffff"

      Examples:
        | guard                  | lines |
        | reject-platform        | 2     |
        | cmr-init-lock          | 2     |
        | whole-range            | 3     |
        | whole-range-serialized | 3     |

    Scenario: the online notifier leaves the blocks in place and vetoes each online
      Given the tdx-hotplug-guard policy is online-notifier
      And the TDX module is initialized
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory272/state"
      Then the write fails with EPERM
      And the memory blocks in 0x880000000-0x8bfffffff are 8 offline blocks
      And MemTotal is unchanged

    Scenario: the online notifier lets boot memory, which is TDX memory, go offline and online again
      Given the tdx-hotplug-guard policy is online-notifier
      And the TDX module is initialized
      And "offline" was written to "/sys/devices/system/memory/memory200/state"
      When the administrator writes "online" to "/sys/devices/system/memory/memory200/state"
      Then the write succeeds
      And memory block 200 is online

    Scenario: S001 approach 2 refuses even convertible memory once the module is initialized
      Given the tdx-hotplug-guard policy is cmr-init-lock
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff, 0x100000000-0xfffffffff] |
      And the TDX module is initialized
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff
      And the kernel log shows "acpi PNP0C80:00: add_memory failed"

  @req:TDX-SAFE @source=S001 @severity:blocker
  Rule: TDX-SAFE - the guards that refuse before initialization refuse what could never be TDX memory

    Scenario Outline: a DIMM outside the CMRs hot-added before initialization under the <guard> guard
      Given the tdx-hotplug-guard policy is <guard>
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff
      And the kernel log shows "acpi PNP0C80:00: add_memory failed"

      Examples:
        | guard           |
        | reject-platform |
        | cmr-init-lock   |

    Scenario: S001 approach 2 refuses CXL memory outside the CMRs that kmem offers before initialization
      Given the tdx-hotplug-guard policy is cmr-init-lock
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the kernel log shows "kmem dax0.0: probe with driver kmem failed with error -22"
      And no page of 0x1000000000-0x1fffffffff is in the page allocator

    Scenario: S001 approach 1 refuses a hot-add on a TDX platform even inside the CMRs
      Given the tdx-hotplug-guard policy is reject-platform
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff, 0x100000000-0xfffffffff] |
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff

    Scenario: without TDX on the platform, S001 approach 1 refuses nothing
      Given the tdx-hotplug-guard policy is reject-platform
      And TDX is turned off in the BIOS
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x880000000-0x8bfffffff are 8 offline blocks

  @req:TDX-MEMLIST @source=S001 @source=S004 @severity:normal
  Rule: TDX-MEMLIST - memory added before the snapshot is TDX memory; after it, it is not

    Scenario: S001 approach 2 lets convertible memory in before initialization, and the module takes it
      Given the tdx-hotplug-guard policy is cmr-init-lock
      And the tdx-snapshot-time policy is module-init
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff, 0x100000000-0xfffffffff] |
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory272/state"
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log shows a line matching "^virt/tdx: 135444 KB allocated for PAMT$"

    Scenario: under S004 v6 with the list taken at boot, memory hot-added before initialization is left out of the TDMRs
      Given the tdx-hotplug-guard policy is owner
      And the tdx-snapshot-time policy is boot
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory272/state"
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log shows a line matching "^virt/tdx: 131340 KB allocated for PAMT$"

    Scenario: under S000's check with the list taken at initialization, memory added before it is TDX memory
      Given the tdx-hotplug-guard policy is whole-range
      And the tdx-snapshot-time policy is module-init
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory272/state"
      Then the write succeeds
      And memory block 272 is online

    Scenario: under S000's check with the list taken at boot, memory added before initialization is refused
      Given the tdx-hotplug-guard policy is whole-range
      And the tdx-snapshot-time policy is boot
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff
      And the kernel log shows "virt/tdx: Reject hot-adding memory range: 0x880000000-0x8c0000000 for TDX compatibility."

    Scenario: under S000's check, a failed initialization frees the list it took, so a later DIMM goes in
      Given the tdx-hotplug-guard policy is whole-range
      And the tdx-snapshot-time policy is module-init
      And the platform has these settings:
        | tdx.module.max_tdmrs | 2 |
      And the administrator has tried "modprobe kvm_intel tdx=1"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then memory block 272 is offline
      And the kernel log shows no line matching "Reject hot-adding memory range"

    Scenario: under the online notifier with the list taken at initialization, memory onlined before it goes online
      Given the tdx-hotplug-guard policy is online-notifier
      And the tdx-snapshot-time policy is module-init
      And a 1 GiB DIMM "dimm1" is hot-plugged
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory272/state"
      Then the write succeeds
      And memory block 272 is online

    Scenario: under S000's check, memory that was TDX memory at initialization may be removed and added again
      Given the tdx-hotplug-guard policy is whole-range
      And the tdx-snapshot-time policy is module-init
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff, 0x100000000-0xfffffffff] |
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And the TDX module is initialized
      And the hypervisor has run "device_del dimm1"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm2"
      Then the memory blocks in 0x880000000-0x8bfffffff are 8 offline blocks
      And the kernel log shows no new messages

