@epic:hotplug @feature:zone-device-mmap
Feature: Device memory is reached only through a shared mapping of its device file
  device-dax's check_vma() refuses private mappings and dax_mmap() any mapping beyond the
  device; vfio_pci_core_mmap() maps a BAR or device memory only MAP_SHARED. None of it comes
  from the page allocator: the pages behind the mapping are the device's own.

  Background:
    Given the arm64-mte-cxl machine
    And every kind of hot-pluggable memory of the platform can store tags
    And the firmware reports persistent memory at 0x2000000000-0x203fffffff on node 0

  @req:HP-ZONEDEVICE @source=S002 @severity:normal
  Rule: HP-ZONEDEVICE - device memory is reached only by a shared mmap() of the device file

    Scenario Outline: mmap() of <device> <how>
      Given the test process has opened "<file>"
      When the test process maps <size> with "PROT_READ|PROT_WRITE" and "<flags>"
      Then <outcome>

      Examples:
        | device                | how                         | file                    | size  | flags       | outcome                           |
        | device-dax            | shared, within the device   | /dev/dax0.0             | 1 GiB | MAP_SHARED  | the system call succeeds          |
        | device-dax            | private                     | /dev/dax0.0             | 2 MiB | MAP_PRIVATE | the system call fails with EINVAL |
        | device-dax            | beyond the end of the device | /dev/dax0.0            | 2 GiB | MAP_SHARED  | the system call fails with ENXIO  |
        | a VFIO BAR            | private                     | /dev/vfio/devices/vfio0 | 2 MiB | MAP_PRIVATE | the system call fails with EINVAL |
        | VFIO cacheable memory | private                     | /dev/vfio/devices/vfio1 | 2 MiB | MAP_PRIVATE | the system call fails with EINVAL |
