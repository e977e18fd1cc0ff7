@epic:cxl @feature:cxl-region
Feature: For a physical address, the CXL subsystem names the region and its member devices
  A policy about CXL memory has to get from the physical range being hot-added to the devices
  behind it. /proc/iomem names the region that decodes an address; the region's targets, as
  `cxl list` shows them, name its member devices.

  @req:CXL-REGION @source=S000 @severity:normal
  Rule: CXL-REGION - the CXL subsystem names the region and member devices of an address

    Scenario Outline: the region that decodes <address>
      Given the arm64-mte-cxl machine
      And the administrator has run "cxl create-region -t ram -d decoder0.0 -m <first>"
      When the administrator runs "cxl create-region -t ram -d decoder0.0 -m <second>"
      Then the CXL subsystem names "<region>" with member devices "<members>" for <address>

      Examples:
        | first     | second | address       | region  | members    |
        | mem0      | mem1   | 0x10000000000 | region0 | mem0       |
        | mem0      | mem1   | 0x107ffffffff | region0 | mem0       |
        | mem0      | mem1   | 0x10800000000 | region1 | mem1       |
        | mem1      | mem0   | 0x10fffffffff | region1 | mem0       |

    Scenario: an interleaved region names both members for any of its addresses
      Given the arm64-mte-cxl machine
      When the administrator runs "cxl create-region -t ram -d decoder0.0 -m mem0 mem1"
      Then the CXL subsystem names "region0" with member devices "mem0, mem1" for 0x10000000100

    Scenario: an address in the window that no region decodes
      Given the arm64-mte-cxl machine
      When the administrator runs "cxl create-region -t ram -d decoder0.0 -m mem0"
      Then no CXL region decodes 0x10800000000
