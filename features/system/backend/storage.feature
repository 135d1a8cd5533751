@system @backend @storage
Feature: Tiered storage
  As a storage administrator who pays for fast disks by the gigabyte
  I want volumes on hot, warm, cold and archive tiers, moved between them without losing a byte
  So that every dataset sits on the cheapest tier that is still fast enough for it

  Background:
    Given I am signed in as an operator

  Scenario: The four tiers are offered with distinct performance characteristics
    When I look at the storage tiers
    Then the tiers are offered from fastest to slowest:
      | tier    | media          |
      | HOT     | nvme-ssd       |
      | WARM    | sata-ssd       |
      | COLD    | hdd            |
      | ARCHIVE | object-archive |
    And each tier answers later and transfers slower than the tier before it

  # Measuring shares the tiers' bandwidth with whatever else runs, so this one runs alone.
  @exclusive
  Scenario: Each tier's measured throughput matches its class
    When I measure the throughput of every tier
    Then the measured throughput ranks the tiers HOT, WARM, COLD, ARCHIVE from fastest to slowest
    And every tier achieves at least half of its advertised throughput

  Scenario: A volume is created, attached to a machine and detached again
    Given a virtual machine "db-1"
    When I create a 20 GB volume "db-data" on the WARM tier
    Then the volume "db-data" is available on the WARM tier with 20 GB
    When I attach the volume "db-data" to "db-1"
    Then the volume "db-data" is attached to "db-1"
    When I detach the volume "db-data"
    Then the volume "db-data" is available and attached to no machine

  Scenario: A volume is attached to one machine at a time
    Given a virtual machine "db-1"
    And a virtual machine "db-2"
    And a 10 GB volume "shared" on the HOT tier attached to "db-1"
    When I try to attach the volume "shared" to "db-2"
    Then the request is refused because the volume is already attached to "db-1"
    And the volume "shared" is attached to "db-1"

  Scenario Outline: Moving a volume to another tier keeps every byte and the volume stays usable
    Given a 16 GB volume "<volume>" on the <from> tier holding "<data>"
    And a virtual machine "app-1" using the volume "<volume>"
    And I note the checksum of the volume "<volume>"
    When I move the volume "<volume>" to the <to> tier
    Then the move of "<volume>" completes within 10 seconds
    And the volume "<volume>" is on the <to> tier, still attached to "app-1"
    And the volume "<volume>" has the checksum noted before the move
    And the volume "<volume>" still holds "<data>" and accepts new data

    Examples:
      | volume | from    | to      | data               |
      | orders | HOT     | ARCHIVE | order 1042 shipped |
      | audit  | ARCHIVE | WARM    | audit trail 2025-1 |
      | cache  | COLD    | HOT     | warm-up set        |

  Scenario Outline: A volume that does not fit is refused with the reason
    When I try to create a <size> GB volume "<volume>" on the <tier> tier
    Then the volume is refused because <reason>
    And there is no volume "<volume>"

    Examples:
      | volume    | size | tier    | reason                                       |
      | too-hot   | 600  | HOT     | the HOT tier lacks the capacity              |
      | too-warm  | 2500 | WARM    | the WARM tier lacks the capacity             |
      | too-large | 5000 | ARCHIVE | the size is outside what a volume may have   |
      | empty     | 0    | COLD    | the size is outside what a volume may have   |

  @model
  Scenario: Any sequence of operations keeps every view of the volumes consistent
    Then any sequence of volume creations, attachments, moves between tiers, writes, reads, refusals and deletions keeps every volume's details, bytes, lists, tier figures and each machine's volumes in agreement with what was done

  @history
  Scenario: Under concurrent writers and readers, moves between tiers and live migrations of its machine, a volume's history holds
    Given a running virtual machine "db-1"
    And a 2 GB volume "ledger" on the WARM tier attached to "db-1"
    When 3 clients write and 2 clients read the blocks of "ledger" for 5 seconds while it moves between tiers and "db-1" migrates between nodes
    Then every read returns the initial bytes or a write that was not refused, and never a value older than the last acknowledged write before it
    And the machine answered throughout each migration, from its source node and then its target node, never back
    And at rest the volume is on the tier of its last move with a checksum of the bytes it returns, and the machine runs where it was last moved
