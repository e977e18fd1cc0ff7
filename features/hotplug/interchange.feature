@epic:hotplug @feature:buddy-interchange
Feature: Onlined memory is ordinary buddy memory
  Once a block is online in ZONE_NORMAL or ZONE_MOVABLE its pages are free pages of the
  buddy allocator like boot memory: any allocation the zone accepts can get them, whoever
  asks. Nothing remembers that they were hot-added or where they came from.

  @req:HP-INTERCHANGE @source=S000 @source=S002 @severity:critical
  Rule: HP-INTERCHANGE - hot-added memory online in Normal or Movable is handed out like boot memory

    Scenario Outline: memory onlined as <type> serves a user bound to its node
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "<type>" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator runs "memhold 64M --membind 2"
      Then the command succeeds
      And the command prints "memhold: #<id> holds 64 MiB movable (node 2: 16384 pages)"
      And "/sys/devices/system/memory/memory512/valid_zones" reads "<zone>"

      Examples:
        | type           | zone    | id |
        | online_movable | Movable | 2  |
        | online_kernel  | Normal  | 2  |

    Scenario: onlining adds the block to the node's and the system's memory
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      When the administrator writes "online_movable" to "/sys/devices/system/memory/memory512/state"
      Then MemTotal has grown by 128 MiB
      And node 2 has 128 MiB of memory

    Scenario: kernel allocations may use hot-added memory onlined to a kernel zone
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "online_kernel" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator runs "memhold 64M --unmovable --membind 2"
      Then the command succeeds

    Scenario: kernel allocations never use ZONE_MOVABLE
      Given the x86-tdx-cxl machine
      And TDX is turned off in the BIOS
      And "online_movable" was written to "/sys/devices/system/memory/memory512/state"
      When the administrator runs "memhold 64M --unmovable --membind 2"
      Then the command fails
      And the command reports "memhold: cannot allocate 64 MiB: Cannot allocate memory"
