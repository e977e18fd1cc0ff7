@epic:mte @feature:mte-mappings
Feature: PROT_MTE is granted only on mappings that are known to be taggable
  arch_calc_vm_flag_bits() gives VM_MTE_ALLOWED to anonymous, shmem/tmpfs/memfd and (since
  v6.13) hugetlb mappings, whose pages come from the page allocator; arch_validate_flags()
  refuses VM_MTE without it, in mmap() and in mprotect(). Device memory (device-dax, VFIO)
  and page-cache files never get it.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0
    And MTE is enabled

  @req:MTE-ALLOWED @source=S000 @source=S002 @severity:critical
  Rule: MTE-ALLOWED - PROT_MTE only with VM_MTE_ALLOWED: anonymous, shmem/tmpfs/memfd, hugetlb

    Scenario Outline: mmap(PROT_MTE) of <mapping>
      Given the test process has opened "<file>"
      When the test process maps 2 MiB with "PROT_READ|PROT_WRITE|PROT_MTE" and "<flags>"
      Then <outcome>

      Examples:
        | mapping                  | file                      | flags                                  | outcome                           |
        | anonymous memory         | /dev/shm/unused           | MAP_PRIVATE\|MAP_ANONYMOUS              | the system call succeeds          |
        | anonymous hugetlb memory | /dev/shm/unused           | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | the system call succeeds          |
        | a memfd                  | memfd:buf                 | MAP_SHARED                             | the system call succeeds          |
        | a tmpfs file             | /dev/shm/buf              | MAP_SHARED                             | the system call succeeds          |
        | a hugetlbfs file         | /dev/hugepages/buf        | MAP_SHARED                             | the system call succeeds          |
        | a hugetlbfs file, MAP_HUGETLB | /dev/hugepages/buf   | MAP_SHARED\|MAP_HUGETLB                 | the system call succeeds          |
        | a page-cache file        | /var/tmp/data             | MAP_SHARED                             | the system call fails with EINVAL |
        | device-dax               | /dev/dax0.0               | MAP_SHARED                             | the system call fails with EINVAL |
        | a VFIO BAR               | /dev/vfio/devices/vfio0   | MAP_SHARED                             | the system call fails with EINVAL |
        | VFIO cacheable memory    | /dev/vfio/devices/vfio1   | MAP_SHARED                             | the system call fails with EINVAL |

    Scenario Outline: mprotect() adding PROT_MTE to <mapping>
      Given the test process has opened "<file>"
      And the test process has mapped 2 MiB with "PROT_READ|PROT_WRITE" and "<flags>"
      When the test process calls mprotect with "PROT_READ|PROT_WRITE|PROT_MTE" on that mapping
      Then <outcome>

      Examples:
        | mapping           | file                    | flags                      | outcome                           |
        | anonymous memory  | /dev/shm/unused         | MAP_PRIVATE\|MAP_ANONYMOUS  | the system call succeeds          |
        | a memfd           | memfd:buf               | MAP_SHARED                 | the system call succeeds          |
        | a page-cache file | /var/tmp/data           | MAP_SHARED                 | the system call fails with EINVAL |
        | device-dax        | /dev/dax0.0             | MAP_SHARED                 | the system call fails with EINVAL |
        | a VFIO BAR        | /dev/vfio/devices/vfio0 | MAP_SHARED                 | the system call fails with EINVAL |

    Scenario: tags set through a PROT_MTE mapping read back and are checked
      Given the test process has mapped 2 MiB with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the administrator runs "mte-test 0x500ffffafe00000 2M"
      Then the command succeeds
      And the command output includes "a mismatched load faults (SEGV_MTESERR)"
