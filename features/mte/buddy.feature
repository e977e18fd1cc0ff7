@epic:mte @feature:mte-buddy
Feature: With MTE enabled, every page in the buddy allocator is taggable
  Any page the buddy allocator hands out may back a PROT_MTE mapping: anonymous memory, tmpfs,
  memfd, hugetlb. If the page cannot store allocation tags, STG succeeds, the tags read back
  as zero and a mismatched load never faults: tag checking is silently off for that process.
  The check below maps PROT_MTE anonymous memory bound to each node with memory, tags it,
  reads the tags back and expects a tag-check fault on a mismatched load.

  @req:MTE-BUDDY @source=S000 @severity:critical
  Rule: MTE-BUDDY - with MTE enabled, every page in the buddy allocator is taggable

    Scenario Outline: onlining <source> as System RAM leaves no untaggable page in the buddy
      Given the arm64-mte-cxl machine
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m <members>"
      When the administrator runs "daxctl online-memory dax0.0"
      Then an MTE mapping bound to any node with memory keeps its tags

      Examples:
        | source                        | members   |
        | a CXL region of mem0 and mem1 | mem0 mem1 |
        | a CXL region of mem1 alone    | mem1      |
        | a CXL region of mem0 alone    | mem0      |

    Scenario: an ACPI DIMM onlined by the kernel itself
      Given the arm64-mte-cxl machine
      And the kernel command line also has "memhp_default_state=online_movable"
      And MTE is enabled
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then an MTE mapping bound to any node with memory keeps its tags

    Scenario: memory that can store tags is onlined and keeps them
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0 mem1"
      When the administrator runs "daxctl online-memory dax0.0"
      Then the command succeeds
      And some page of 0x10000000000-0x10fffffffff is in the page allocator
      And an MTE mapping bound to any node with memory keeps its tags
