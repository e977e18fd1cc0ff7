@epic:tdx @feature:tdx-cmr
Feature: Boot memory outside the CMRs makes TDX initialization fail
  Linux does not read the Convertible Memory Regions; it puts all memblock memory in TDMRs
  and the TDX module refuses a configuration whose memory is not convertible
  (TDH.SYS.CONFIG: TDX_TDMR_OUTSIDE_CMRS, or TDX_PAMT_OUTSIDE_CMRS when a PAMT landed there).
  The failure is loud: initialization fails, it does not leave the memory out silently.

  @req:TDX-CMR @source=S004 @severity:critical
  Rule: TDX-CMR - non-convertible boot memory fails TDX initialization instead of being left out

    Scenario: CMRs that do not cover boot memory
      Given the x86-tdx-cxl machine
      And the platform has these settings:
        | tdx.cmrs | [0x0-0x7fffffff] |
      And the administrator has tried "modprobe kvm_intel tdx=1"
      When a TD "td1" of 64 MiB is created
      Then the command fails
      And the kernel log shows a line matching "^virt/tdx: SEAMCALL \(0x000000000000002d\) failed: 0xc0000a1100000200$"
      And the kernel log shows a line matching "initialization failed \(-5\)$"

    Scenario: CXL memory the BIOS reports as RAM at boot
      Given the x86-tdx-cxl-ram machine
      And the administrator has tried "modprobe kvm_intel tdx=1"
      When a TD "td1" of 64 MiB is created
      Then the command fails
      And the kernel log shows a line matching "^virt/tdx: SEAMCALL \(0x000000000000002d\) failed: 0xc0000a1100000203$"
