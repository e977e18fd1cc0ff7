@epic:cxl @feature:cxl-emd
Feature: A CXL region can hold MTE tags only if every member device reports Extended Metadata
  A type-3 device that can store metadata next to each cache line says so with the Extended
  Metadata capability (CXL 3.1 8.2.4.31, capability ID 0x10). Interleaving spreads every page
  of a region over all its members, so one member without it makes the whole region unable to
  hold tags, and the platform's window must carry the tags to the devices as well. Under MTE,
  only such regions may become System RAM.

  @req:CXL-EMD @source=S000 @severity:critical
  Rule: CXL-EMD - a CXL region is online-capable under MTE only if every member supports Extended Metadata

    Scenario Outline: a region of <members> under MTE
      Given the arm64-mte-cxl machine
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m <members>"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command <outcome>

      Examples: every member reports Extended Metadata
        | members | outcome  |
        | mem0    | succeeds |

      Examples: some member does not
        | members   | outcome |
        | mem1      | fails   |
        | mem0 mem1 | fails   |
        | mem1 mem0 | fails   |

    Scenario: a region of mem0 in a window that does not carry tags
      Given the arm64-mte-cxl machine
      And the platform has these settings:
        | setting            | value |
        | cxl.windows.0.tags | false |
      And MTE is enabled
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And no page of 0x10000000000-0x107ffffffff is in the page allocator
