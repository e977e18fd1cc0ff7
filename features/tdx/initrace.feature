@epic:tdx @feature:tdx-init-race
Feature: A hot-add racing TDX module initialization cannot slip in
  In the v6.8-v7.0 era KVM initializes the TDX module when kvm_intel loads. The memory list
  is built under mem_hotplug_lock (read); a hot-add check that runs without that lock or the
  module lock can see an empty list, let the memory in, and find it outside the list once
  initialization is done. S001 approach 2 serializes them (hot-add waits for an
  initialization in progress). The race is set up as a user would: modprobe in the
  background, a hot-add while it runs.

  @req:TDX-INITRACE @source=S001 @severity:critical
  Rule: TDX-INITRACE - hot-add and initialization are serialized

    Scenario: a DIMM plugged while kvm_intel initializes TDX
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the kernel command line also has "memhp_default_state=online_movable"
      And TDX module initialization is in progress
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then after TDX module initialization completes, no page of 0x880000000-0x8bfffffff is in the page allocator

    Scenario Outline: under the <guard> guard, a DIMM plugged while kvm_intel initializes TDX waits for it
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the kernel command line also has "memhp_default_state=online_movable"
      And the tdx-hotplug-guard policy is <guard>
      And the tdx-snapshot-time policy is module-init
      And the numa-capability-mismatch policy is mix
      And TDX module initialization is in progress
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then after TDX module initialization completes, no page of 0x880000000-0x8bfffffff is in the page allocator

      Examples:
        | guard                  |
        | online-notifier        |
        | cmr-init-lock          |
        | whole-range-serialized |


    Scenario: the module is initialized when the background modprobe finishes, not before
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And TDX module initialization is in progress
      When TDX module initialization completes
      Then the command succeeds
      And the kernel log shows exactly 2 new lines
      And the kernel log shows "virt/tdx: module initialized"
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario: under S001 approach 2, convertible memory plugged while kvm_intel initializes TDX waits and is refused
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the tdx-hotplug-guard policy is cmr-init-lock
      And the tdx-snapshot-time policy is module-init
      And the numa-capability-mismatch policy is mix
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff, 0x100000000-0xfffffffff] |
      And TDX module initialization is in progress
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no memory block covers 0x880000000-0x8bfffffff
      And the kernel log shows "virt/tdx: module initialized"
