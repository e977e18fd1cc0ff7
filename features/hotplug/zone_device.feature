@epic:hotplug @feature:zone-device
Feature: ZONE_DEVICE memory stays outside the page allocator
  memremap_pages() gives device memory a memmap in ZONE_DEVICE but creates no memory blocks,
  sends no memory notifier events and never frees a page to the buddy allocator. device-dax
  (devdax mode) is reached only by mmap() of /dev/daxX.Y.

  Background:
    Given the x86-tdx-cxl machine
    And TDX is turned off in the BIOS
    And "dax0.0" was written to "/sys/bus/dax/drivers/kmem/unbind"

  @req:HP-ZONEDEVICE @source=S002 @severity:critical
  Rule: HP-ZONEDEVICE - device-dax memory creates no blocks, sends no notifications, never enters the buddy

    Scenario: binding device_dax maps the memory without memory blocks
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/device_dax/bind"
      Then the write succeeds
      And no memory block covers 0x1000000000-0x1fffffffff
      And MemTotal is unchanged
      And "/dev/dax0.0" exists
      And "/proc/iomem" includes the line "    1000000000-1fffffffff : dax0.0"

    Scenario: a memory notifier that vetoes everything is not consulted
      Given a memory notifier vetoes MEM_GOING_ONLINE with EPERM
      When the administrator writes "dax0.0" to "/sys/bus/dax/drivers/device_dax/bind"
      Then the write succeeds
      And "/dev/dax0.0" exists

    Scenario: devdax memory cannot be taken by the page allocator
      Given "dax0.0" was written to "/sys/bus/dax/drivers/device_dax/bind"
      When the administrator runs "memhold 64M --membind 2"
      Then the command fails
