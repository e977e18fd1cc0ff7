@epic:tdx @feature:td-guests
Feature: TD guests only ever receive TDX memory
  A TD's private memory comes from the buddy allocator (guest_memfd, kernel zones, the TD's
  NUMA policy) and becomes TD memory through TDH.MEM.PAGE.ADD (the initial image) or
  TDH.MEM.PAGE.AUG (memory the guest accepts while it runs). The TDX module refuses any page
  that is not TDX memory: creation fails, or the TD dies at run time (S004).

  @req:TDX-NOTTDX @source=S004 @severity:critical
  Rule: TDX-NOTTDX - hot-added DDR, CXL and NVDIMM memory is not TDX memory

    Scenario: DDR hot-added into a TDX node cannot back a TD
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And a 4 GiB DIMM "dimm1" is hot-plugged
      And the administrator has tried "echo online_kernel > /sys/devices/system/memory/memory272/state"
      And a TD "td1" of 20 GiB bound to node 1 is running
      When TD "td1" accepts all its memory
      Then the command fails

    Scenario: CXL memory cannot back a TD
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      When a TD "td1" of 64 MiB bound to node 2 is created
      Then the command fails

    Scenario: NVDIMM memory used as system RAM cannot back a TD
      Given the x86-tdx-cxl machine
      And the firmware reports legacy persistent memory at 0x2000000000-0x203fffffff on node 3
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram --no-movable dax1.0"
      When a TD "td1" of 64 MiB bound to node 3 is created
      Then the command fails

  @req:TDX-GUEST @source=S004 @source=S003 @severity:blocker
  Rule: TDX-GUEST - a TD is only ever given TDX memory

    Scenario: a TD larger than its node's boot memory never gets hot-added pages
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem memhp_default_state=online_kernel"
      And the TDX module is initialized
      And a 4 GiB DIMM "dimm1" is hot-plugged
      And a TD "td1" of 18 GiB bound to node 1 is running
      When TD "td1" accepts all its memory
      Then no TD has been given non-TDX memory

    Scenario: a TD bound to the CXL node never gets CXL pages
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      When a TD "td1" of 64 MiB bound to node 2 is created
      Then no TD has been given non-TDX memory

    Scenario: where non-TDX memory reaches the buddy, TD creation fails on TDH.MEM.PAGE.ADD
      Given the tdx-hotplug-guard policy is owner
      And the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has run "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      When a TD "td1" of 64 MiB bound to node 2 is created
      Then the TD fails because TDH.MEM.PAGE.ADD refused a non-TDX page

    Scenario: where hot-added DDR reaches the buddy, a running TD dies at the first page past the last TDMR
      Given the tdx-hotplug-guard policy is owner
      And the numa-capability-mismatch policy is mix
      And the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem memhp_default_state=online_kernel"
      And the TDX module is initialized
      And a 4 GiB DIMM "dimm1" is hot-plugged
      And a TD "td1" of 18 GiB bound to node 1 is running
      When TD "td1" accepts all its memory
      Then the command reports "td: td1: KVM_RUN failed: Input/output error (TDH_MEM_PAGE_AUG 0xc000010100000008 for pfn 0x880000)"
      And the command reports "the TD is dead"

    Scenario: where non-TDX memory reaches the buddy, a running TD dies on TDH.MEM.PAGE.AUG
      Given the tdx-hotplug-guard policy is owner
      And the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has run "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      And a TD "td1" of 20 GiB bound to nodes 1,2 is running
      When TD "td1" accepts all its memory
      Then the TD fails because TDH.MEM.PAGE.AUG refused a non-TDX page
      And the command reports "the TD is dead"

    Scenario: the pages of a destroyed TD go back to the module and can back the next TD
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And a TD "td1" of 1 GiB bound to node 1 is running
      And the administrator has run "td accept td1 all"
      And the administrator has run "td destroy td1"
      And a TD "td2" of 1 GiB bound to node 1 is running
      When TD "td2" accepts all its memory
      Then the command succeeds
      And no TD has been given non-TDX memory
