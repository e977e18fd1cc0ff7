@epic:numa @feature:node-capability
Feature: NUMA nodes tell user space whether their memory can be encrypted
  S003: firmware already gives NVDIMM and CXL memory their own NUMA nodes (SRAT/HMAT proximity
  domains), so capability is uniform per node at boot; the kernel only has to say which nodes
  can do encryption (TDX), and user space binds TD guests to those with MPOL_BIND. A hot-add
  into a node whose capability differs must not be mixed in silently.

  @req:NUMA-CAP @source=S003 @source=S004 @severity:normal
  Rule: NUMA-CAP - each node says in sysfs whether its memory can be encrypted

    Scenario Outline: node <node> reports <value>
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the administrator reads "/sys/devices/system/node/node<node>/crypto_capable"
      Then the command prints "<value>"

      Examples:
        | node | value |
        | 0    | 1     |
        | 1    | 1     |
        | 2    | 0     |

    Scenario: a TD bound to the capable nodes avoids non-TDX memory even where it is in the buddy
      Given the tdx-hotplug-guard policy is owner
      And the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has run "daxctl reconfigure-device --mode=system-ram --no-movable dax0.0"
      When a TD "td1" of 1 GiB is created on the nodes whose crypto_capable reads 1
      Then the TD is running
      And no TD has been given non-TDX memory

  @req:NUMA-FW @source=S003 @severity:minor
  Rule: NUMA-FW - firmware puts CXL and NVDIMM memory in nodes of their own

    Scenario: CXL memory arrives in its own node
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the administrator reads "/sys/bus/dax/devices/dax0.0/target_node"
      Then the command prints "2"
      And "/sys/devices/system/node/node2/memory512" exists
      And "/sys/devices/system/node/node1/memory512" does not exist

  @req:NUMA-MISMATCH @source=S003 @severity:normal
  Rule: NUMA-MISMATCH - memory whose capability differs from its node is not silently mixed in

    Scenario: non-convertible DDR plugged into a TDX-capable node
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory of 0x880000000-0x8bfffffff is not part of node 1
