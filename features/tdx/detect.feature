@epic:tdx @feature:tdx-detection
Feature: The kernel detects TDX from the KeyID partitioning the BIOS set up
  tdx_init() reads IA32_MKTME_KEYID_PARTITIONING at boot. TDX KeyIDs follow the MKTME
  KeyIDs; the first is the global KeyID for the TDX module's metadata, so at least two are
  needed. TDX also refuses to run while hibernation is available. Without TDX, none of the
  TDX rules restrict memory hotplug.

  @req:TDX-DETECT @source=S001 @source=S004 @severity:critical
  Rule: TDX-DETECT - TDX is on only with SEAMRR and at least two TDX KeyIDs

    Scenario: the BIOS-enabled KeyID range is reported and TDX comes up
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log shows a line matching "^virt/tdx: BIOS enabled: private KeyID range \[32, 64\)$"
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario Outline: TDX stays off when <why>
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | <setting> | <value> |
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And "/sys/module/kvm_intel/parameters/tdx" reads "N"

      Examples:
        | why                                | setting                         | value |
        | the BIOS leaves SEAMRR off         | tdx.seamrr                      | false |
        | only one TDX KeyID is partitioned  | tdx.keyid_partitioning.tdx      | 1     |
        | no TDX module is loaded            | tdx.module_loaded               | false |

    Scenario: one TDX KeyID is not enough, and Linux says so
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.keyid_partitioning.tdx | 1 |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: initialization failed: too few private KeyIDs available\.$"

    Scenario: TDX refuses to initialize while hibernation is available
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | cmdline | root=/dev/nvme0n1p2 memhp_default_state=offline |
      When the administrator loads kvm_intel with TDX
      Then the kernel log shows a line matching "^virt/tdx: initialization failed: Hibernation support is enabled$"
      And "/sys/module/kvm_intel/parameters/tdx" reads "N"

    Scenario: without TDX no TDX rule restricts hotplug
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And the administrator has run "modprobe kvm_intel tdx=1"
      When the administrator writes "online" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
