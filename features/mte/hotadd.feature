@epic:mte @feature:mte-hot-add
Feature: With MTE enabled, non-taggable memory stays out of the buddy allocator
  Every page in the buddy allocator may end up in a PROT_MTE mapping (anonymous memory, tmpfs,
  memfd, hugetlb), so with MTE enabled every page there must be able to store tags. Linux maps
  all hot-added memory Normal Tagged and checks nothing; memory that cannot hold tags then
  loses them silently. This holds for every hot-add source, not only CXL.

  @req:MTE-ANYSOURCE @source=S000 @severity:critical
  Rule: MTE-ANYSOURCE - non-taggable memory from any hot-add source stays out of the buddy

    Scenario: an ACPI DIMM the platform does not promise to tag
      Given the arm64-mte-cxl machine
      And the kernel command line also has "memhp_default_state=online_movable"
      And MTE is enabled
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then no page of 0x1000000000-0x103fffffff is in the page allocator

  @req:MTE-HOTADD @source=S000 @severity:critical
  Rule: MTE-HOTADD - with MTE enabled, memory that cannot store tags is refused as System RAM and stays devdax

    Scenario Outline: <source> is refused as System RAM
      Given the arm64-mte-cxl machine
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m <members>"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And no page of <range> is in the page allocator

      Examples:
        | source                        | members   | range                       |
        | a CXL region of mem1 alone    | mem1      | 0x10000000000-0x107ffffffff |
        | a CXL region of mem0 and mem1 | mem0 mem1 | 0x10000000000-0x10fffffffff |

    Scenario: refused memory stays usable as device-dax
      Given the arm64-mte-cxl machine
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem1"
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram dax0.0"
      And no page of 0x10000000000-0x107ffffffff is in the page allocator
      And the administrator has run "daxctl reconfigure-device --mode=devdax dax0.0"
      And the test process has opened "/dev/dax0.0"
      When the test process maps 2 MiB with "PROT_READ|PROT_WRITE" and "MAP_SHARED"
      Then the system call succeeds

    Scenario: with MTE disabled the same memory may be onlined as System RAM
      Given the arm64-mte-cxl machine
      And the kernel command line also has "arm64.nomte"
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem1"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command succeeds
      And some page of 0x10000000000-0x107ffffffff is in the page allocator

  @req:MTE-NOADVERTISE @source=S002 @severity:normal
  Rule: MTE-NOADVERTISE - a platform that cannot tag hot-added memory does not advertise MTE

    Scenario: the arm64-mte-cxl platform cannot tag everything it can hot-add
      Given the arm64-mte-cxl machine
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features do not include "mte"

    Scenario: a platform that can tag all its hot-pluggable memory may advertise MTE
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features include "mte"
      And the kernel log shows a line matching "^CPU features: detected: Memory Tagging Extension$"

    Scenario: an arm64 CPU without MTE does not advertise it
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      And the platform has these settings:
        | cpu.mte | false |
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features do not include "mte"

    Scenario: arm64.nomte turns MTE off whatever the platform says
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      And the kernel command line also has "arm64.nomte"
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features do not include "mte"

    Scenario: an arm64 machine with nothing to hot-plug may advertise MTE
      Given a bare-metal arm64 machine with this memory map:
        | range                 | type   | node |
        | 0x80000000-0x87fffffff | usable | 0    |
      And the platform has these settings:
        | cpu.mte | true |
      And the mte-hotplug-guard policy is no-mte
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features include "mte"

    Scenario Outline: MTE is advertised only if every hot-pluggable source can tag (<case>)
      Given the arm64-mte-cxl machine
      And the mte-hotplug-guard policy is no-mte
      And the platform has these settings:
        | hotplug.0.tags             | <dimm tags>  |
        | cxl.windows.0.tags         | <cxl tags>   |
        | cxl.devices.1.capabilities | <mem1 caps>  |
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features <verdict> "mte"

      Examples:
        | case                                     | dimm tags | cxl tags | mem1 caps        | verdict            |
        | the DIMM range and the CXL window tag    | true      | true     | [0x2, 0x5, 0x10] | include            |
        | the DIMM range cannot tag                | false     | true     | [0x2, 0x5, 0x10] | do not include     |
        | the CXL window cannot carry tags         | true      | false    | [0x2, 0x5, 0x10] | do not include     |
        | a CXL device lacks Extended Metadata     | true      | true     | [0x2, 0x5]       | do not include     |
