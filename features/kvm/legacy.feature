@epic:kvm @feature:kvm-stage2-legacy
Feature: Before S002, stage 2 took the memory type from the page frame
  Up to v6.8, user_mem_abort() mapped a pfn cacheable only if it is in the kernel's linear map
  (kvm_is_device_pfn() = !pfn_is_map_memory(): boot RAM and hot-added System RAM) and as
  Device memory otherwise, whatever the VMA said. That is the rule S002 set out to change:
  device-dax pages are cacheable struct pages, VFIO BARs could be Normal-NC, and coherent
  device memory could be cacheable. These scenarios describe that rule, so they state the
  kvm-stage2-type choice that has it.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0

  @req:KVM-LEGACY @source=S002 @severity:normal
  Rule: KVM-LEGACY - struct-page memory in the linear map is cacheable at stage 2, anything else Device

    Scenario Outline: with the pfn rule, stage 2 maps <mapping> as <type>
      Given the kvm-stage2-type policy is pfn-map-memory
      And the VMM has mapped 2 MiB of "<source>" with "<flags>"
      And a VM "vm1" without MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      When the guest of "vm1" accesses 0x1000
      Then stage 2 maps it <type>

      Examples:
        | mapping                  | source                  | flags                                  | type             |
        | anonymous memory         | anonymous memory        | MAP_PRIVATE\|MAP_ANONYMOUS              | Normal cacheable |
        | anonymous hugetlb memory | anonymous memory        | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | Normal cacheable |
        | a memfd                  | memfd:guest-ram         | MAP_SHARED                             | Normal cacheable |
        | a page-cache file        | /var/tmp/guest-ram      | MAP_SHARED                             | Normal cacheable |
        | device-dax               | /dev/dax0.0             | MAP_SHARED                             | Device-nGnRE     |
        | a VFIO BAR               | /dev/vfio/devices/vfio0 | MAP_SHARED                             | Device-nGnRE     |
        | VFIO cacheable memory    | /dev/vfio/devices/vfio1 | MAP_SHARED                             | Device-nGnRE     |

    Scenario: with the pfn rule, cacheable VFIO memory is guest memory without FEAT_S2FWB, mapped Device
      Given the kvm-stage2-type policy is pfn-map-memory
      And the platform has these settings:
        | setting   | value |
        | cpu.s2fwb | false |
      And the VMM has mapped 2 MiB of "/dev/vfio/devices/vfio1" with "MAP_SHARED"
      And a VM "vm1" without MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      When the guest of "vm1" accesses 0x0
      Then stage 2 maps it Device-nGnRE
