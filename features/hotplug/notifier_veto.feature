@epic:hotplug @feature:online-veto
Feature: A memory notifier can veto onlining
  Onlining a block runs online_pages(), which sends MEM_GOING_ONLINE down the memory
  notifier chain before any page reaches the buddy. A notifier that refuses turns into
  -EPERM through notifier_to_errno(); the block stays offline, MEM_CANCEL_ONLINE is sent,
  and the only message is a pr_debug() line. The veto here comes from the kernel's own
  memory-notifier-error-inject module, as in the kernel's memory-hotplug selftests.

  Background:
    Given the qemu-q35 machine
    And a 1 GiB DIMM "dimm1" is hot-plugged
    And a memory notifier vetoes MEM_GOING_ONLINE with EPERM

  @req:HP-VETO @source=S000 @severity:critical
  Rule: HP-VETO - a vetoed online leaves the block offline with EPERM and only a debug message

    Scenario Outline: every way of onlining a block is vetoed (<file> <- <value>)
      When the administrator writes "<value>" to "/sys/devices/system/memory/memory32/<file>"
      Then the write fails with EPERM
      And memory block 32 is offline
      And the kernel log shows no new messages

      Examples:
        | file   | value          |
        | online | 1              |
        | state  | online         |
        | state  | online_kernel  |
        | state  | online_movable |

    Scenario: the debug line appears only with dynamic debug on for mm/memory_hotplug.c
      Given dynamic debug is enabled for "mm/memory_hotplug.c"
      When the administrator writes "1" to "/sys/devices/system/memory/memory32/online"
      Then the write fails with EPERM
      And the kernel log shows exactly 1 new line
      And the kernel log shows "online_pages [mem 0x100000000-0x107ffffff] failed"

    Scenario: a vetoed block does not count as memory
      When the administrator writes "online" to "/sys/devices/system/memory/memory33/state"
      Then MemTotal is unchanged
      And "/sys/devices/system/memory/memory33/valid_zones" reads "Normal Movable"

    Scenario: once the notifier stops vetoing, the same block onlines
      Given "0" was written to "/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error"
      When the administrator writes "online" to "/sys/devices/system/memory/memory32/state"
      Then the write succeeds
      And memory block 32 is online
      And MemTotal has grown by 128 MiB

    Scenario: the debug line is a dynamic debug site of online_pages() in mm/memory_hotplug.c
      When the administrator reads "/sys/kernel/debug/dynamic_debug/control"
      Then the command prints:
        """
        # filename:lineno [module]function flags format
        mm/memory_hotplug.c:0 [memory_hotplug]online_pages =_ "online_pages [mem %#010llx-%#010llx] failed\n"
        mm/memory_hotplug.c:0 [memory_hotplug]offline_pages =_ "memory offlining [mem %#010llx-%#010llx] failed due to %s\n"
        mm/memory_hotplug.c:0 [memory_hotplug]offline_pages =_ "Offlined Pages %ld\n"
        mm/memory_hotplug.c:0 [memory_hotplug]register_memory_resource =_ "Unable to reserve System RAM region: %016llx->%016llx\n"
        """
