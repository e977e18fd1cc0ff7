@epic:tdx @feature:tdx-rejection
Feature: A non-TDX hot-add is refused whole, once, with a message that says why
  S000: checking per memory block at online time gives the administrator only EPERM from a
  sysfs write (and, with dynamic debug, "online_pages ... failed"), once per block: 512 times
  for 64 GiB of CXL. Refusing the whole range in check_hotplug_memory_range() creates no
  block at all and logs one line naming the range and the reason.

  @req:TDX-WHOLERANGE @source=S000 @severity:critical
  Rule: TDX-WHOLERANGE - the whole range is refused before any block exists, with one log line

    Scenario Outline: <source> after initialization is refused whole, with one line
      Given a TDX host with every hot-add source
      And the TDX module is initialized
      When "<source>" is hot-added
      Then no memory block covers <range>
      And exactly one new kernel message names <range> and TDX

      Examples:
        | source                          | range                     |
        | a DDR DIMM                      | 0x880000000-0x8bfffffff   |
        | DDR through the probe interface | 0x880000000-0x887ffffff   |
        | CXL memory through kmem         | 0x1000000000-0x1fffffffff |
        | NVDIMM memory through kmem      | 0x2000000000-0x203fffffff |

  @req:OBS-DIAG @source=S000 @severity:normal
  Rule: OBS-DIAG - the administrator is told the range and the reason

    Scenario: onlining hot-added memory on a TDX host explains itself
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the kernel command line also has "memhp_default_state=online_movable"
      And the TDX module is initialized
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then exactly one new kernel message names 0x880000000-0x8bfffffff and TDX

    Scenario: a per-block online veto gives 512 bare EPERMs for 64 GiB of CXL
      Given the tdx-hotplug-guard policy is online-notifier
      And the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has run "daxctl reconfigure-device --mode=system-ram --no-online dax0.0"
      When the administrator runs "daxctl online-memory dax0.0"
      Then the command reports "dax0.0: failed to online memory: Operation not permitted"
      And the memory blocks in 0x1000000000-0x1fffffffff are 512 offline blocks
      And the kernel log shows no new messages

  @req:OBS-VOLUME @source=S000 @severity:normal
  Rule: OBS-VOLUME - diagnostics stay bounded when many blocks are refused

    Scenario: 64 GiB of CXL in 512 blocks does not log 512 messages
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem memhp_default_state=online_movable"
      And the TDX module is initialized
      When the administrator runs "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      Then at most 20 new kernel messages are logged

    Scenario: nor does it with dynamic debug on for memory hotplug
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem memhp_default_state=online_movable"
      And the TDX module is initialized
      And dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      Then at most 20 new kernel messages are logged

  @req:TDX-DEVDAX @source=S000 @severity:critical
  Rule: TDX-DEVDAX - CXL memory refused as System RAM is still usable as device-dax

    Scenario: the refused CXL region goes back to devdax
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram dax0.0"
      When the administrator runs "daxctl reconfigure-device --mode=devdax -f dax0.0"
      Then the command succeeds
      And "/dev/dax0.0" exists
      And no page of 0x1000000000-0x1fffffffff is in the page allocator
