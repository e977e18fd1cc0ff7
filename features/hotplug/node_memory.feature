@epic:hotplug @feature:node-memory
Feature: A node has memory while any of its memory is online
  online_pages() of a node's first memory sends NODE_ADDING_FIRST_MEMORY and then
  NODE_ADDED_FIRST_MEMORY, and the node joins N_MEMORY; offline_pages() of its last memory
  sends NODE_REMOVING_LAST_MEMORY and NODE_REMOVED_LAST_MEMORY, and the node leaves it.
  /sys/devices/system/node/has_memory lists the nodes in N_MEMORY.

  Background:
    Given the x86-tdx-cxl machine
    And TDX is turned off in the BIOS

  @req:HP-INTERCHANGE @source=S000 @severity:normal
  Rule: HP-INTERCHANGE - onlined memory is buddy memory of its node, like boot memory

    Scenario: onlining the first block of the CXL node makes it a memory node
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And "/sys/devices/system/node/has_memory" reads "0-2"
      And "/sys/devices/system/node/node2/meminfo" includes the line "Node 2 MemTotal:         131072 kB"

    Scenario: offlining the last online block of the CXL node takes it out again
      Given "online_movable" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And "/sys/devices/system/node/has_memory" reads "0-1"
      And "/sys/devices/system/node/node2/meminfo" includes the line "Node 2 MemTotal:              0 kB"

    Scenario: offlining one of two online blocks leaves the node a memory node
      Given "online_movable" was written to "/sys/devices/system/memory/memory512/state"
      And "online_movable" was written to "/sys/devices/system/memory/memory513/state"
      When the administrator writes "offline" to "/sys/devices/system/memory/memory512/state"
      Then the write succeeds
      And "/sys/devices/system/node/has_memory" reads "0-2"
