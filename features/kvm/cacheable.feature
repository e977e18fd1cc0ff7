@epic:kvm @feature:kvm-stage2-type
Feature: Stage 2 takes the memory type from the VMA
  S002 (Catalin Marinas, Jason Gunthorpe): stage 2 may map memory cacheable when the VMA is
  cacheable and either has VM_MTE_ALLOWED or the VM has MTE disabled; an uncached VMA is never
  mapped cacheable. As merged, user_mem_abort() maps everything that is not a VM_PFNMAP of
  memory outside the linear map cacheable (device-dax included); a non-cacheable PFN map is
  Normal-NC when VFIO marks it VM_ALLOW_ANY_UNCACHED (v6.9), else Device; a cacheable PFN map
  (nvgrace-gpu style device memory) is cacheable only where FEAT_S2FWB and CTR_EL0.DIC let KVM
  do without cache maintenance, and otherwise its memslot is refused (v6.17). The VFIO BAR
  carries VM_IO and an uncached vm_page_prot; the cacheable device memory is VM_IO too (its
  driver uses remap_pfn_range()), and KVM reads cacheability from vm_page_prot, not VM_IO.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0

  @req:KVM-CACHEABLE @source=S002 @severity:critical
  Rule: KVM-CACHEABLE - cacheable at stage 2 when the VMA is cacheable and MTE-allowed or the VM has no MTE; uncached VMAs never

    Scenario Outline: stage 2 maps <mapping> of a VM without MTE as <type>
      Given the VMM has mapped 2 MiB of "<source>" with "<flags>"
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
        | device-dax               | /dev/dax0.0             | MAP_SHARED                             | Normal cacheable |
        | a VFIO BAR               | /dev/vfio/devices/vfio0 | MAP_SHARED                             | Normal-NC        |
        | VFIO cacheable memory    | /dev/vfio/devices/vfio1 | MAP_SHARED                             | Normal cacheable |

    Scenario Outline: stage 2 maps MTE-allowed <mapping> of a VM with MTE cacheable
      Given the VMM has mapped 2 MiB of "<source>" with "<flags>"
      And a VM "vm1" with MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      When the guest of "vm1" accesses 0x1000
      Then stage 2 maps it Normal cacheable

      Examples:
        | mapping                  | source             | flags                                  |
        | anonymous memory         | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS              |
        | anonymous hugetlb memory | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  |
        | a memfd                  | memfd:guest-ram    | MAP_SHARED                             |
        | a tmpfs file             | /dev/shm/guest-ram | MAP_SHARED                             |

    Scenario Outline: cacheable VFIO memory cannot become guest memory without <missing>
      Given the platform has these settings:
        | setting   | value   |
        | cpu.s2fwb | <s2fwb> |
        | cpu.dic   | <dic>   |
      And the VMM has mapped 2 MiB of "/dev/vfio/devices/vfio1" with "MAP_SHARED"
      And a VM "vm1" without MTE
      When the VMM makes that mapping memory slot 0 of "vm1" at 0x0
      Then the KVM_SET_USER_MEMORY_REGION ioctl fails with EINVAL

      Examples:
        | missing     | s2fwb | dic   |
        | FEAT_S2FWB  | false | true  |
        | CTR_EL0.DIC | true  | false |
