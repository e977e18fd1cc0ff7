@epic:kvm @feature:kvm-guest-mte
Feature: A guest uses MTE at stage 1 without the VMM ever asking for PROT_MTE
  A VMM maps guest memory with plain PROT_READ|PROT_WRITE and gives it to KVM as a memslot.
  With KVM_CAP_ARM_MTE the guest sees MTE, maps its memory Normal Tagged in its own stage-1
  page tables, and sets and checks tags; no mmap(PROT_MTE) reaches the host (S002, Catalin
  Marinas: "A guest can simply enable MTE at stage 1 without the hypervisor being able to
  tell"). KVM copes by accepting only VM_MTE_ALLOWED memory in such a VM and clearing the
  tags of each page the first time stage 2 maps it (sanitise_mte_tags()).

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags

  @req:KVM-STAGE1 @source=S002 @severity:critical
  Rule: KVM-STAGE1 - a guest can enable MTE at stage 1 without the hypervisor seeing any mmap(PROT_MTE)

    Scenario Outline: the guest checks tags on <mapping> that the VMM mapped without PROT_MTE, pointer tag <pointer tag>
      Given the VMM has mapped 2 MiB of "<source>" with "<flags>"
      And a VM "vm1" with MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      And the guest of "vm1" has set allocation tag 5 at 0x1000
      When the guest of "vm1" loads from 0x1000 through a pointer with tag <pointer tag>
      Then <outcome>

      Examples:
        | mapping                  | source             | flags                                  | pointer tag | outcome                          |
        | anonymous memory         | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS              | 5           | the guest load succeeds          |
        | anonymous memory         | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS              | 3           | the guest gets a tag check fault |
        | anonymous hugetlb memory | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | 5           | the guest load succeeds          |
        | anonymous hugetlb memory | anonymous memory   | MAP_PRIVATE\|MAP_ANONYMOUS\|MAP_HUGETLB  | 3           | the guest gets a tag check fault |
        | a memfd                  | memfd:guest-ram    | MAP_SHARED                             | 5           | the guest load succeeds          |
        | a memfd                  | memfd:guest-ram    | MAP_SHARED                             | 3           | the guest gets a tag check fault |
        | a tmpfs file             | /dev/shm/guest-ram | MAP_SHARED                             | 5           | the guest load succeeds          |
        | a tmpfs file             | /dev/shm/guest-ram | MAP_SHARED                             | 3           | the guest gets a tag check fault |
        | a hugetlbfs file         | /dev/hugepages/ram | MAP_SHARED                             | 5           | the guest load succeeds          |

    Scenario: a guest whose VM has no KVM_CAP_ARM_MTE does not see MTE
      Given the VMM has mapped 2 MiB of "anonymous memory" with "MAP_PRIVATE|MAP_ANONYMOUS"
      And a VM "vm1" without MTE
      And that mapping is memory slot 0 of "vm1" at 0x0
      When the guest of "vm1" sets allocation tag 5 at 0x1000
      Then the command fails
      And the command reports "the guest has no MTE: ID_AA64PFR1_EL1.MTE reads 0 without KVM_CAP_ARM_MTE"
