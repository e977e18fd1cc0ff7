@epic:hotplug @feature:hotplug-lock
Feature: Onlining, offlining and removing memory wait for a TDX module initialization in progress
  memory_block_online(), memory_block_offline() and try_remove_memory() take mem_hotplug_lock
  for write (mem_hotplug_begin()). In the v6.8-v7.0 era KVM initializes the TDX module when
  kvm_intel loads and holds mem_hotplug_lock for read while it builds the TDX memory list, so
  every one of these operations waits until initialization is over; what the kernel log
  shows right after the write tells that it did.

  @req:TDX-INITRACE @source=S001 @severity:normal
  Rule: TDX-INITRACE - every memory hotplug operation is serialized with TDX module initialization

    Scenario: offlining memory block 200 while kvm_intel initializes TDX waits for it
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And TDX module initialization is in progress
      When the administrator writes "offline" to "/sys/devices/system/memory/memory200/state"
      Then the write succeeds
      And memory block 200 is offline
      And the kernel log shows "virt/tdx: module initialized"

    Scenario: onlining memory block 200 while kvm_intel initializes TDX waits for it
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And "offline" was written to "/sys/devices/system/memory/memory200/state"
      And TDX module initialization is in progress
      When the administrator writes "online" to "/sys/devices/system/memory/memory200/state"
      Then the write succeeds
      And memory block 200 is online
      And the kernel log shows "virt/tdx: module initialized"

    Scenario: ejecting an offline DIMM while kvm_intel initializes TDX waits for it
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the tdx-hotplug-guard policy is online-notifier
      And the tdx-snapshot-time policy is boot
      And the numa-capability-mismatch policy is mix
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And TDX module initialization is in progress
      When the hypervisor runs "device_del dimm1"
      Then the hypervisor lists 0 memory devices
      And the kernel log shows "virt/tdx: module initialized"
