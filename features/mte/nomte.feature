@epic:mte @feature:mte-mappings
Feature: Without MTE, PROT_MTE is refused by mprotect() and ignored by mmap()
  arch_validate_prot() accepts PROT_MTE only when system_supports_mte(), and only mprotect()
  calls it; mmap() passes the protection through arch_calc_vm_prot_bits(), which sets VM_MTE
  only where MTE is supported, so on a system without MTE the mapping is made untagged.

  @req:MTE-ALLOWED @source=S002 @severity:normal
  Rule: MTE-ALLOWED - without MTE, mprotect() refuses PROT_MTE and mmap() ignores it

    Scenario: mprotect(PROT_MTE) where the system does not support MTE
      Given the arm64-mte-cxl machine
      And the kernel command line also has "arm64.nomte"
      And the test process has mapped 2 MiB with "PROT_READ|PROT_WRITE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      When the test process calls mprotect with "PROT_READ|PROT_WRITE|PROT_MTE" on that mapping
      Then the system call fails with EINVAL

    Scenario: mmap(PROT_MTE) where the system does not support MTE maps untagged memory
      Given the arm64-mte-cxl machine
      And the kernel command line also has "arm64.nomte"
      When the test process maps 2 MiB with "PROT_READ|PROT_WRITE|PROT_MTE" and "MAP_PRIVATE|MAP_ANONYMOUS"
      Then the system call succeeds
