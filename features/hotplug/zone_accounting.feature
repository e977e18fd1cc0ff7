@epic:hotplug @feature:zone-accounting
Feature: /proc/zoneinfo accounts onlined and offlined memory per zone
  online_pages() moves the range into the zone (the zone's span grows to cover it), gives
  every page to the buddy allocator (managed and free) and counts it present;
  offline_pages() takes the pages back out and shrinks the zone's span to what is still
  online. With memmap_on_memory the block's own memmap is present but never managed.

  @req:HP-INTERCHANGE @source=S000 @severity:normal
  Rule: HP-INTERCHANGE - onlined memory is buddy memory of the zone it joins

    Scenario: one block onlined to ZONE_MOVABLE and the next to ZONE_NORMAL
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And "online_kernel" was written to "/sys/devices/system/memory/memory33/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     240095
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 240095
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     32768
                spanned  32768
                present  32768
                managed  32768
              nr_free_pages 32768
          start_pfn:           1081344
        Node 0, zone  Movable
          pages free     32768
                spanned  32768
                present  32768
                managed  32768
              nr_free_pages 32768
          start_pfn:           1048576
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

    Scenario: offlining the first of two movable blocks shrinks the zone to the one left
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online_movable" was written to "/sys/devices/system/memory/memory32/state"
      And "online_movable" was written to "/sys/devices/system/memory/memory34/state"
      And "offline" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     240095
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 240095
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone  Movable
          pages free     32768
                spanned  32768
                present  32768
                managed  32768
              nr_free_pages 32768
          start_pfn:           1114112
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

    Scenario: with memmap_on_memory a block's memmap is present in the zone but not managed
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     244191
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 244191
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     32256
                spanned  32768
                present  32768
                managed  32256
              nr_free_pages 32256
          start_pfn:           1048576
        Node 0, zone  Movable
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

  @req:HP-INTERCHANGE @source=S000 @severity:normal
  Rule: HP-INTERCHANGE - a failed or undone online leaves the zones as they were

    Scenario: with memmap_on_memory, onlining and offlining a block leaves ZONE_NORMAL empty again
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online" was written to "/sys/devices/system/memory/memory32/state"
      And "offline" was written to "/sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     244191
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 244191
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone  Movable
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

    Scenario: with memmap_on_memory, a vetoed online leaves no trace of the block's memmap in ZONE_NORMAL
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And the administrator has tried "echo online > /sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     244191
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 244191
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone  Movable
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

    Scenario: with memmap_on_memory, a vetoed offline leaves the block and its memmap present
      Given the qemu-q35 machine
      And the kernel command line also has "memory_hotplug.memmap_on_memory=1"
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And "online" was written to "/sys/devices/system/memory/memory32/state"
      And a memory notifier vetoes MEM_GOING_OFFLINE with EBUSY
      And the administrator has tried "echo offline > /sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     244191
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 244191
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     32256
                spanned  32768
                present  32768
                managed  32256
              nr_free_pages 32256
          start_pfn:           1048576
        Node 0, zone  Movable
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """

    Scenario: a vetoed online_movable leaves ZONE_MOVABLE empty
      Given the qemu-q35 machine
      And a 1 GiB DIMM "dimm1" is hot-plugged
      And a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      And the administrator has tried "echo online_movable > /sys/devices/system/memory/memory32/state"
      When the administrator reads "/proc/zoneinfo"
      Then the command prints:
        """
        Node 0, zone      DMA
          pages free     3840
                spanned  4095
                present  3998
                managed  3840
              nr_free_pages 3840
          start_pfn:           1
        Node 0, zone    DMA32
          pages free     240095
                spanned  258015
                present  258015
                managed  244191
              nr_free_pages 240095
          start_pfn:           4096
        Node 0, zone   Normal
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone  Movable
          pages free     0
                spanned  0
                present  0
                managed  0
        Node 0, zone   Device
          pages free     0
                spanned  0
                present  0
                managed  0
        """
