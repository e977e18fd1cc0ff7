@epic:kvm @feature:kvm-mte-memslots
Feature: An MTE guest only ever gets cacheable memory that can hold its tags
  A guest with MTE can tag any of its memory, and the host cannot tell (S002). So for a VM with
  KVM_CAP_ARM_MTE, kvm_arch_prepare_memory_region() refuses a memslot over any VMA without
  VM_MTE_ALLOWED (page-cache files, device-dax, VFIO PFN maps), and user_mem_abort() checks
  again at each stage-2 fault, for a VMM that changes its mappings after making the memslot
  or enables MTE after making it ("Check the VMM hasn't introduced a new disallowed VMA").
  Non-cacheable memory (Normal-NC, Device) is safe: tags are not reachable through it.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0

  @req:KVM-MTE-SLOT @source=S002 @severity:critical
  Rule: KVM-MTE-SLOT - guest memory of a VM with MTE is MTE-allowed; other memory is never mapped cacheable into it

    Scenario Outline: a memslot of <mapping> in a VM with MTE
      Given the VMM has mapped 2 MiB of "<source>" with "<flags>"
      And a VM "vm1" with MTE
      When the VMM makes that mapping memory slot 0 of "vm1" at 0x0
      Then <outcome>

      Examples:
        | mapping                  | source                  | flags                                  | outcome                                                      |
        | anonymous memory         | anonymous memory        | MAP_PRIVATE\|MAP_ANONYMOUS              | the command succeeds                                         |
        | anonymous hugetlb memory | anonymous memory        | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | the command succeeds                                         |
        | a memfd                  | memfd:guest-ram         | MAP_SHARED                             | the command succeeds                                         |
        | a tmpfs file             | /dev/shm/guest-ram      | MAP_SHARED                             | the command succeeds                                         |
        | a page-cache file        | /var/tmp/guest-ram      | MAP_SHARED                             | the KVM_SET_USER_MEMORY_REGION ioctl fails with EINVAL       |
        | device-dax               | /dev/dax0.0             | MAP_SHARED                             | the KVM_SET_USER_MEMORY_REGION ioctl fails with EINVAL       |
        | a VFIO BAR               | /dev/vfio/devices/vfio0 | MAP_SHARED                             | the KVM_SET_USER_MEMORY_REGION ioctl fails with EINVAL       |
        | VFIO cacheable memory    | /dev/vfio/devices/vfio1 | MAP_SHARED                             | the KVM_SET_USER_MEMORY_REGION ioctl fails with EINVAL       |

    Scenario Outline: the VMM replaces MTE-allowed guest memory with <mapping> after making the memslot
      Given the VMM has mapped 2 MiB of "anonymous memory" with "MAP_PRIVATE|MAP_ANONYMOUS"
      And a VM "vm1" with MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      And the VMM has replaced that mapping with "<source>" mapped with "MAP_SHARED"
      When the guest of "vm1" accesses 0x0
      Then stage 2 does not map it cacheable

      Examples:
        | mapping               | source                  |
        | a page-cache file     | /var/tmp/guest-ram      |
        | device-dax            | /dev/dax0.0             |
        | a VFIO BAR            | /dev/vfio/devices/vfio0 |
        | VFIO cacheable memory | /dev/vfio/devices/vfio1 |

    Scenario Outline: the VMM enables MTE after making a memslot of <mapping>
      Given the VMM has mapped 2 MiB of "<source>" with "MAP_SHARED"
      And a VM "vm1" without MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      And the VMM has enabled MTE on "vm1"
      When the guest of "vm1" accesses 0x0
      Then stage 2 does not map it cacheable

      Examples:
        | mapping               | source                  |
        | a page-cache file     | /var/tmp/guest-ram      |
        | device-dax            | /dev/dax0.0             |
        | a VFIO BAR            | /dev/vfio/devices/vfio0 |
        | VFIO cacheable memory | /dev/vfio/devices/vfio1 |
