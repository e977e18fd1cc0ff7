@epic:tdx @feature:tdx-hot-add
Feature: After TDX initialization, non-TDX memory never reaches the page allocator
  TD guests take their memory from the buddy allocator, so once the TDX module is initialized
  every page the buddy can hand out must be TDX memory. Memory hot-added later (DDR DIMMs,
  CXL through kmem, NVDIMM as system RAM, the probe interface) is not TDX memory. The kernel
  must keep it out on every path, even when it onlines hot-added memory on its own.

  @req:TDX-AFTERINIT @source=S000 @source=S001 @source=S004 @severity:blocker
  Rule: TDX-AFTERINIT - after initialization a non-TDX hot-add never reaches the page allocator

    Scenario Outline: <source> after initialization stays out of the page allocator
      Given a TDX host with every hot-add source
      And the kernel command line also has "memhp_default_state=online_movable"
      And the TDX module is initialized
      When "<source>" is hot-added
      Then no page of <range> is in the page allocator

      Examples:
        | source                          | range                     |
        | a DDR DIMM                      | 0x880000000-0x8bfffffff   |
        | DDR through the probe interface | 0x880000000-0x887ffffff   |
        | CXL memory through kmem         | 0x1000000000-0x1fffffffff |
        | NVDIMM memory through kmem      | 0x2000000000-0x203fffffff |

  @req:TDX-SAFE @source=S001 @severity:blocker
  Rule: TDX-SAFE - the kernel makes the incompatible configuration impossible; nothing is left to the owner

    Scenario: the kernel's own auto-onlining does not bring non-TDX memory in
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the kernel command line also has "memhp_default_state=online_kernel"
      And the TDX module is initialized
      When the hypervisor hot-plugs a 4 GiB DIMM "dimm1"
      Then no page of 0x880000000-0x97fffffff is in the page allocator

  @req:TDX-FROZEN @source=S004 @severity:critical
  Rule: TDX-FROZEN - once initialized, TDX memory never grows

    Scenario: CXL memory hot-added after initialization never becomes TD memory
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      When a TD "td1" of 128 MiB bound to node 2 is created
      Then the command fails
