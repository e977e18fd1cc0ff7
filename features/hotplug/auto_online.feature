@epic:hotplug @feature:auto-online
Feature: memhp_default_state= decides whether hot-added blocks come up online, and where
  setup_memhp_default_state() runs for each memhp_default_state= on the command line, in order:
  it takes offline, online, online_kernel or online_movable and ignores anything else, so an
  invalid value leaves what an earlier one set (qemu-q35 boots with memhp_default_state=offline)
  or else the Kconfig default; add_memory_resource() then onlines each new block with that
  type, and /sys/devices/system/memory/auto_online_blocks shows it.

  @req:HP-BLOCKS @source=S000 @severity:normal
  Rule: HP-BLOCKS - a hot-added block is offline until onlined, unless auto-online is configured

    Scenario Outline: a DIMM hot-plugged with memhp_default_state=<state> (Kconfig default <kconfig>)
      Given the qemu-q35 machine
      And the hotplug-default-online policy is <kconfig>
      And the kernel command line also has "memhp_default_state=<state>"
      When the hypervisor hot-plugs a 1 GiB DIMM "dimm1"
      Then the memory blocks in 0x100000000-0x13fffffff are 8 <blocks> blocks
      And "/sys/devices/system/memory/auto_online_blocks" reads "<auto>"
      And "/sys/devices/system/memory/memory32/valid_zones" reads "<zones>"

      Examples:
        | kconfig        | state          | blocks  | auto           | zones          |
        | offline        | offline        | offline | offline        | Normal Movable |
        | offline        | online         | online  | online         | Normal         |
        | offline        | online_kernel  | online  | online_kernel  | Normal         |
        | offline        | online_movable | online  | online_movable | Movable        |
        | offline        | on             | offline | offline        | Normal Movable |
        | online         | offline        | offline | offline        | Normal Movable |
        | online_movable | on             | offline | offline        | Normal Movable |
