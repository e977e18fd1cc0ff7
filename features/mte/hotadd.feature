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

    Scenario: arm64.nomte turns MTE off whatever the platform says
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      And the kernel command line also has "arm64.nomte"
      When the administrator reads "/proc/cpuinfo"
      Then the CPU features do not include "mte"
