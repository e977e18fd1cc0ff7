@epic:mte @feature:mte-mappings
Feature: Before hugetlb could hold tags, PROT_MTE on hugetlb memory was refused
  Before v6.13, hugetlb folios had no tag handling, and the stable fix made
  arch_calc_vm_flag_bits() give VM_MTE_ALLOWED to anonymous and shmem mappings only: a
  MAP_HUGETLB mapping, a hugetlbfs file and a hugetlb memfd got EINVAL for PROT_MTE. These
  scenarios state the mte-hugetlb choice that has that rule.

  @req:MTE-ALLOWED @source=S000 @source=S002 @severity:normal
  Rule: MTE-ALLOWED - without hugetlb tag support, PROT_MTE is granted on anonymous and shmem mappings only

    Scenario Outline: without hugetlb MTE support, mmap(PROT_MTE) of <mapping> <outcome>
      Given the arm64-mte-cxl machine
      And every kind of hot-pluggable memory of the platform can store tags
      And the mte-hugetlb policy is refused
      And MTE is enabled
      And the test process has opened "<file>"
      When the test process maps 2 MiB with "PROT_READ|PROT_WRITE|PROT_MTE" and "<flags>"
      Then the system call <outcome>

      Examples:
        | mapping                  | file                  | flags                                  | outcome           |
        | anonymous hugetlb memory | /dev/shm/unused       | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | fails with EINVAL |
        | a hugetlbfs file         | /dev/hugepages/buf    | MAP_SHARED                             | fails with EINVAL |
        | a hugetlb memfd          | memfd:buf MFD_HUGETLB | MAP_SHARED                             | fails with EINVAL |
        | anonymous memory         | /dev/shm/unused       | MAP_PRIVATE\|MAP_ANONYMOUS              | succeeds          |
        | a memfd                  | memfd:buf             | MAP_SHARED                             | succeeds          |
