@system @backend @migration
Feature: Live migration of virtual machines
  As an operator who drains a node before its maintenance
  I want running machines moved to another node while they keep serving
  So that maintenance on a node never means downtime for the workloads on it

  Background:
    Given I am signed in as an operator

  Scenario: A running machine migrates live to another node
    Given a running virtual machine "api-1" with 4096 MB of memory on node-1
    When I migrate "api-1" to node-2
    Then the migration of "api-1" is accepted
    And the migration of "api-1" reports its progress and completes within 10 seconds
    And "api-1" is running on node-2

  Scenario: The machine answers throughout its live migration
    Given a running virtual machine "web-9" with 1024 MB of memory on node-1
    When I migrate "web-9" to node-2 over a link capped at 2000 Mbps while probing it continuously
    Then "web-9" answered every probe during the preparing, pre-copy, stop-and-copy and switchover phases
    And "web-9" was answered by node-1 before the switchover and by node-2 from then on

  @exclusive
  Scenario Outline: A migration to an unknown, full or current node is refused
    Given a running virtual machine "batch-7" with 2048 MB of memory on node-1
    And node-3 is fully booked
    When I try to migrate "batch-7" to <target>
    Then the migration is refused because <reason>
    And "batch-7" is still running on node-1

    Examples:
      | target | reason                     |
      | node-9 | the node is unknown        |
      | node-3 | node-3 has no room for it  |
      | node-1 | it already runs there      |

  Scenario: The machine's history records its migration
    Given a running virtual machine "svc-4" with 1024 MB of memory on node-1
    When I migrate "svc-4" to node-2 and wait until it completes
    Then the history of "svc-4" shows the migration from node-1 to node-2 starting and then completing

  @needs-load-injection
  Scenario: A migrated machine keeps reporting its usage
    Given a running virtual machine "calc-2" with 1024 MB of memory on node-1
    And "calc-2" is kept at 60% CPU and 40% memory use
    When I migrate "calc-2" to node-2 and wait until it completes
    Then "calc-2" reports 60% CPU and 40% memory use

  @model @exclusive
  Scenario: Any sequence of migrations keeps every machine, migration and node consistent
    Then any sequence of machines created on any node, migrations to any node at any link speed, migrations asked several times at once, refusals, state changes and deletions moves each machine only as the contract allows and keeps its migrations, probes, history and every node's free room in agreement with what was done
