@epic:mte @feature:mte-mappings
Feature: mmap(), mprotect() and mbind() of a tagged mapping follow the kernel's rules
  ksys_mmap_pgoff() and do_mmap() refuse a bad descriptor, a zero length, a mapping neither
  shared nor private and MAP_HUGETLB on a file outside hugetlbfs before the protection is looked
  at; mmap_region() then checks arch_validate_flags() before the driver's ->mmap().
  do_mprotect_pkey() walks the VMAs of the range from the lowest and stops at the first one it
  cannot change, leaving those before it changed; a protection change never clears VM_MTE
  (arm64's VM_ARCH_CLEAR is VM_ARM64_BTI), so PROT_MTE once granted stays. do_mbind() binds
  exactly the VMAs of its range, and the MTE-BUDDY check relies on that to reach every node.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0
    And MTE is enabled

  @req:MTE-ALLOWED @source=S000 @source=S002 @severity:normal
  Rule: MTE-ALLOWED - mmap(PROT_MTE) and mprotect(PROT_MTE) fail or succeed as do_mmap() and do_mprotect_pkey() decide

    Scenario Outline: mmap(PROT_MTE) with <case> fails with <errno>
      Given the test process has opened "/var/tmp/data"
      When the test process calls "<call>"
      Then the system call fails with <errno>

      Examples:
        | case                                  | call                                                                              | errno  |
        | a zero length                         | mmap NULL 0 'PROT_READ\|PROT_WRITE\|PROT_MTE' 'MAP_PRIVATE\|MAP_ANONYMOUS' -1 0     | EINVAL |
        | neither MAP_SHARED nor MAP_PRIVATE    | mmap NULL 2M 'PROT_READ\|PROT_WRITE\|PROT_MTE' 'MAP_ANONYMOUS' -1 0                | EINVAL |
        | a descriptor the process never opened | mmap NULL 2M 'PROT_READ\|PROT_WRITE\|PROT_MTE' 'MAP_SHARED' 9 0                    | EBADF  |
        | MAP_HUGETLB on a page-cache file      | mmap NULL 2M 'PROT_READ\|PROT_WRITE' 'MAP_SHARED\|MAP_HUGETLB' 3 0                 | EINVAL |

    Scenario: mmap(PROT_MTE) of device-dax is refused before dax_mmap() checks the length
      Given the test process has opened "/dev/dax0.0"
      When the test process maps 2 GiB with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_SHARED"
      Then the system call fails with EINVAL

    Scenario Outline: mprotect(PROT_MTE) of <case> fails with <errno>
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect <start> <length> 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call fails with <errno>

      Examples:
        | case                                | start          | length | errno  |
        | an address inside a page            | 0x7f0000000800 | 4096   | EINVAL |
        | an address nothing maps             | 0x7e0000000000 | 4096   | ENOMEM |
        | a range starting below the mapping  | 0x7effffe00000 | 4M     | ENOMEM |
        | a range running past the mapping    | 0x7f0000000000 | 4M     | ENOMEM |

    Scenario: mprotect() of zero bytes succeeds and changes nothing
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 0 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call succeeds
      And the memory at 0x7f0000000000 is not tag-checked

    Scenario: mprotect() adding PROT_MTE to anonymous memory turns tag checking on
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 2M 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call succeeds
      And the memory at 0x7f0000000000 keeps its tags
      And the memory at 0x7f00001ff000 keeps its tags

    Scenario: mprotect() without PROT_MTE leaves a tagged mapping tagged
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 2M 'PROT_READ|PROT_WRITE'"
      Then the system call succeeds
      And the memory at 0x7f0000000000 keeps its tags

    Scenario Outline: mprotect(PROT_MTE) of the <which> of two adjacent mappings leaves the other untagged
      Given the test process has mapped 2 MiB at 0x7f0000200000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect <start> 2M 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call succeeds
      And the memory at <start> keeps its tags
      And the memory at <other> is not tag-checked

      Examples:
        | which  | start          | other          |
        | lower  | 0x7f0000000000 | 0x7f0000200000 |
        | higher | 0x7f0000200000 | 0x7f0000000000 |

    Scenario Outline: mmap(PROT_MTE) through descriptor <fd>, the <nth> file the process opened, <outcome>
      Given the test process has opened "/dev/shm/buf"
      And the test process has opened "/var/tmp/data"
      When the test process calls "mmap NULL 2M 'PROT_READ|PROT_WRITE|PROT_MTE' 'MAP_SHARED' <fd> 0"
      Then the system call <outcome>

      Examples:
        | fd | nth    | outcome           |
        | 3  | first  | succeeds          |
        | 4  | second | fails with EINVAL |

    Scenario Outline: a tag stored through 0x...<stored> reads back at 0x...<loaded> as <tag>, granule by granule
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "stg 0x5007f000000<stored>"
      When the test process calls "ldg 0x7f000000<loaded>"
      Then the command output includes "allocation tag <tag>"

      Examples:
        | stored | loaded | tag |
        | 1010   | 1010   | 0x5 |
        | 1010   | 101c   | 0x5 |
        | 1010   | 1020   | 0x0 |
        | 1010   | 1000   | 0x0 |
        | 1010   | 0010   | 0x0 |

    Scenario: a new PROT_MTE mapping starts with tag 0 on pages another mapping tagged and gave back
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "mte-test 0x5007f0000000000 2M"
      And the test process has called "munmap 0x7f0000000000 2M"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "ldg 0x7f0000001000"
      Then the command output includes "allocation tag 0x0"

    Scenario: mprotect(PROT_MTE) over two adjacent anonymous mappings tags both
      Given the test process has mapped 2 MiB at 0x7f0000200000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 4M 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call succeeds
      And the memory at 0x7f0000000000 keeps its tags
      And the memory at 0x7f0000200000 keeps its tags

    Scenario: mprotect(PROT_MTE) stops at a page-cache mapping, leaving the anonymous one before it tagged
      Given the test process has opened "/var/tmp/data"
      And the test process has mapped 2 MiB at 0x7f0000200000 with "PROT_READ|PROT_WRITE" and "MAP_SHARED"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 4M 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call fails with EINVAL
      And the memory at 0x7f0000000000 keeps its tags
      And the memory at 0x7f0000200000 is not tag-checked

    Scenario: mprotect(PROT_MTE) stops with ENOMEM at a hole, leaving the mapping before it tagged
      Given the test process has mapped 2 MiB at 0x7f0000400000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mprotect 0x7f0000000000 6M 'PROT_READ|PROT_WRITE|PROT_MTE'"
      Then the system call fails with ENOMEM
      And the memory at 0x7f0000000000 keeps its tags
      And the memory at 0x7f0000400000 is not tag-checked

  @req:MTE-BUDDY @source=S000 @severity:normal
  Rule: MTE-BUDDY - the check binds a tagged mapping to one node and gets that node's pages

    Scenario Outline: mbind() of <range> binds exactly the mappings in it
      Given the administrator has run "cxl create-region -t ram -d decoder0.0 -m mem0"
      And the administrator has run "daxctl online-memory dax1.0"
      And the test process has mapped 2 MiB at 0x7f0000200000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "mbind <start> <length> MPOL_BIND 1"
      When the test process calls "touch 0x7f0000000000 4M"
      Then node 1 holds <on node 1> of the test process's memory
      And node 0 holds <on node 0> of the test process's memory

      Examples:
        | range                | start          | length | on node 1 | on node 0 |
        | both mappings        | 0x7f0000000000 | 4M     | 4 MiB     | 0 MiB     |
        | the lower mapping    | 0x7f0000000000 | 2M     | 2 MiB     | 2 MiB     |
        | the higher mapping   | 0x7f0000200000 | 2M     | 2 MiB     | 2 MiB     |

    Scenario Outline: mbind() of <case> fails with <errno>
      Given the test process has mapped 2 MiB at 0x7f0000400000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls "mbind <start> <length> MPOL_BIND <nodes>"
      Then the system call fails with <errno>

      Examples:
        | case                              | start          | length | nodes | errno  |
        | an address inside a page          | 0x7f0000000800 | 4096   | 0     | EINVAL |
        | a node without memory             | 0x7f0000000000 | 2M     | 1     | EINVAL |
        | a range nothing maps              | 0x7e0000000000 | 2M     | 0     | EFAULT |
        | a range with a hole               | 0x7f0000000000 | 6M     | 0     | EFAULT |

    Scenario: touching a mapping twice takes its pages once
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "touch 0x7f0000000000 2M"
      When the test process calls "touch 0x7f0000000000 2M"
      Then node 0 holds 2 MiB of the test process's memory

    Scenario: touching an address nothing maps is a SIGSEGV
      When the test process calls "touch 0x7e0000000000 4096"
      Then the command reports "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x7e0000000000} ---"

    Scenario: munmap() gives a tagged mapping's pages back
      Given the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "mte-test 0x5007f0000000000 2M"
      When the test process calls "munmap 0x7f0000000000 2M"
      Then the system call succeeds
      And node 0 holds 0 MiB of the test process's memory

    Scenario Outline: munmap() of the <which> of two mappings gives back its pages only
      Given the test process has mapped 2 MiB at 0x7f0000200000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has mapped 2 MiB at 0x7f0000000000 with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      And the test process has called "touch 0x7f0000000000 4M"
      When the test process calls "munmap <start> 2M"
      Then the system call succeeds
      And node 0 holds 2 MiB of the test process's memory
      And the memory at <other> keeps its tags

      Examples:
        | which  | start          | other          |
        | lower  | 0x7f0000000000 | 0x7f0000200000 |
        | higher | 0x7f0000200000 | 0x7f0000000000 |
