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

    Scenario Outline: hibernate=<value> on the command line <effect>
      Given the x86-tdx-cxl machine
      And the platform has these settings:
        | cmdline | root=/dev/nvme0n1p2 memhp_default_state=offline modprobe.blacklist=kmem hibernate=<value> |
      When the administrator loads kvm_intel with TDX
      Then "/sys/module/kvm_intel/parameters/tdx" reads "<tdx>"

      Examples:
        | value         | effect                                                   | tdx |
        | no            | turns hibernation off, so TDX comes up                   | Y   |
        | nohibernat    | turns hibernation off too ("no" prefix)                  | Y   |
        | nocomp        | turns hibernation off too (only "nocompress" is special) | Y   |
        | noresume      | leaves hibernation available: TDX stays off              | N   |
        | noresumeX     | leaves hibernation available ("noresume" prefix)         | N   |
        | nocompress    | leaves hibernation available: TDX stays off              | N   |
        | nocompression | leaves hibernation available ("nocompress" prefix)       | N   |
        | protect       | leaves hibernation available: TDX stays off              | N   |

    Scenario Outline: with <n> TDX KeyIDs, the first is the module's and <guests> left for TDs
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.keyid_partitioning.tdx | <n> |
      And the TDX module is initialized
      And a TD "td1" of 64 MiB bound to node 0 is running
      When a TD "td2" of 64 MiB is created
      Then the command <outcome>
      And the kernel log shows a line matching "^virt/tdx: BIOS enabled: private KeyID range \[32, <end>\)$"

      Examples:
        | n  | guests  | end | outcome                                                                                  |
        | 2  | one is  | 34  | reports "td: td2: KVM_TDX_INIT_VM failed: No space left on device"                       |
        | 3  | two are | 35  | output includes "td: td2: created with HKID 34, 64 MiB, 4 MiB added by TDH.MEM.PAGE.ADD" |
        | 32 | 31 are  | 64  | output includes "td: td2: created with HKID 34, 64 MiB, 4 MiB added by TDH.MEM.PAGE.ADD" |

    Scenario: the KeyID of a destroyed TD is free for the next TD
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.keyid_partitioning.tdx | 2 |
      And the TDX module is initialized
      And a TD "td1" of 64 MiB bound to node 0 is running
      And the administrator has run "td destroy td1"
      When a TD "td2" of 64 MiB is created
      Then the command output includes "td: td2: created with HKID 33, 64 MiB, 4 MiB added by TDH.MEM.PAGE.ADD"

    Scenario: loading kvm_intel again after TDX came up does not initialize the module again
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the TDX module is initialized
      And the administrator has run "rmmod kvm_intel"
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log shows no new messages
      And "/sys/module/kvm_intel/parameters/tdx" reads "Y"

    Scenario: without a TDX module, kvm_intel loads with TDX off and the kernel says why
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.module_loaded | false |
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And "/sys/module/kvm_intel/parameters/tdx" reads "N"
      And the kernel log shows a line matching "^virt/tdx: module not loaded$"


    Scenario: loading kvm_intel again does not probe for the missing module again
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.module_loaded | false |
      And the administrator has run "modprobe kvm_intel tdx=1"
      And the administrator has run "rmmod kvm_intel"
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log shows no new messages
      And "/sys/module/kvm_intel/parameters/tdx" reads "N"

    Scenario: with no TDX KeyIDs partitioned the kernel does not mention TDX at all
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the platform has these settings:
        | tdx.keyid_partitioning.tdx | 0 |
      When the administrator loads kvm_intel with TDX
      Then "/sys/module/kvm_intel/parameters/tdx" reads "N"
      And the kernel log shows no line matching "^virt/tdx: "

    Scenario: what the kernel says when kvm_intel brings TDX up
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And TDX module initialization happens when kvm_intel loads
      When the administrator loads kvm_intel with TDX
      Then the command succeeds
      And the kernel log lines starting with "virt/tdx: " are:
        """
        virt/tdx: BIOS enabled: private KeyID range [32, 64)
        virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.
        virt/tdx: 131340 KB allocated for PAMT
        virt/tdx: module initialized
        """

    Scenario: what the kernel says when it brings TDX up at boot
      Given the x86-tdx-cxl machine
      And the kernel command line also has "modprobe.blacklist=kmem"
      And the tdx-module-init policy is boot
      When the administrator loads kvm_intel with TDX
      Then "/sys/module/kvm_intel/parameters/tdx" reads "Y"
      And the kernel log lines starting with "virt/tdx: " are:
        """
        virt/tdx: BIOS enabled: private KeyID range [32, 64)
        virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.
        virt/tdx: Module version: 1.5.08
        virt/tdx: 131340 KB allocated for PAMT
        virt/tdx: TDX-Module initialized
        """
