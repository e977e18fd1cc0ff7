@epic:hotplug @feature:devdax-fallback
Feature: Memory refused as System RAM stays usable as device-dax
  A dax device can be switched between device_dax (devdax mode) and kmem (system-ram mode).
  The switch to kmem is a hot-add like any other, so the same checks apply to it; memory
  those checks refuse can go back to devdax and be used through /dev/daxX.Y.

  @req:HP-DEVDAX @source=S000 @severity:critical
  Rule: HP-DEVDAX - refused memory goes back to devdax; system-ram mode meets the same checks

    Scenario: memory whose onlining is vetoed is returned to devdax
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/unbind"
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/device_dax/bind"
      Then the write succeeds
      And "/dev/dax0.0" exists
      And no memory block covers 0x1000000000-0x1fffffffff

    Scenario: switching a devdax device to kmem meets the online veto like a DIMM does
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/unbind"
      And "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/bind"
      And "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/unbind"
      And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/bind"
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory600/state"
      Then the write fails with EPERM
      And memory block 600 is offline

    Scenario: kmem gives blocks that are still online back only at the next reboot
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "online_movable" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/kmem/unbind"
      Then the write succeeds
      And the kernel log shows "removing memory fails, because memory [0x1000000000-0x1007ffffff] is onlined"
      And the kernel log shows "kmem dax0.0: mapping0: 0x1000000000-0x1fffffffff cannot be hotremoved until the next reboot"
      And memory block 512 is online

    Scenario: with daxctl, memory the kernel refuses to online goes back to devdax
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And the administrator has run "daxctl reconfigure-device --mode=devdax dax0.0"
      And the administrator has tried "daxctl reconfigure-device --mode=system-ram dax0.0"
      When the administrator runs "daxctl reconfigure-device --mode=devdax -f dax0.0"
      Then the command succeeds
      And the command output includes '"mode":"devdax"'
      And "/dev/dax0.0" exists

    Scenario: daxctl reports the kernel's refusal when it onlines system-ram memory
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And the administrator has run "daxctl reconfigure-device --mode=devdax dax0.0"
      When the administrator runs "daxctl reconfigure-device --mode=system-ram dax0.0"
      Then the command fails
      And the command reports "dax0.0: failed to online memory: Operation not permitted"
      And the memory blocks in 0x1000000000-0x1fffffffff are 512 offline blocks

    Scenario: kmem gives offline memory back at once, and the CXL node goes away with it
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/kmem/unbind"
      Then the write succeeds
      And no memory block covers 0x1000000000-0x1fffffffff
      And "/proc/iomem" does not include "System RAM (kmem)"
      And "/sys/devices/system/node/online" reads "0-1"
