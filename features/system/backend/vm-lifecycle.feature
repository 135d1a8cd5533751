@system @backend @vm-lifecycle
Feature: Virtual machine lifecycle
  As an operator running workloads on NovaCron
  I want to create, start, stop, pause, resume and delete virtual machines
  So that each workload runs exactly when the business needs it, and no longer

  Background:
    Given I am signed in as an operator

  @smoke
  Scenario: A requested virtual machine is provisioned and starts running
    When I request a virtual machine "web-1" with 2 CPUs, 2048 MB of memory and 20 GB of disk
    Then "web-1" is being created
    And "web-1" is running within 10 seconds
    And "web-1" has 2 CPUs, 2048 MB of memory and 20 GB of disk

  @smoke
  Scenario: The complete create, start, stop and delete cycle
    Given a running virtual machine "app-1"
    When I stop "app-1"
    Then "app-1" is stopped
    When I start "app-1"
    Then "app-1" is running
    And the lifecycle history of "app-1" reads: creating, provisioning, running, stopped, running
    When I delete "app-1"
    Then "app-1" no longer exists

  Scenario: A batch of machines requested at once all start running
    When I request 10 virtual machines at once
    Then all 10 are running within 10 seconds

  Scenario: A paused virtual machine resumes where it was
    Given a running virtual machine "batch-1"
    When I pause "batch-1"
    Then "batch-1" is paused
    When I resume "batch-1"
    Then "batch-1" is running

  Scenario Outline: A change the machine's current state does not allow is refused
    Given a virtual machine "<machine>" that is <state>
    When I try to <action> "<machine>"
    Then the request is refused because "<machine>" is <state>
    And "<machine>" is still <state>

    Examples:
      | machine | state   | action |
      | idle-1  | stopped | pause  |
      | idle-2  | stopped | stop   |
      | busy-1  | running | resume |
      | held-1  | paused  | start  |

  Scenario Outline: An invalid request is refused with a reason for the offending field
    When I request a virtual machine named "<name>" with <cpus> CPUs, <memory> MB of memory and <disk> GB of disk
    Then the request is refused as invalid, naming the <field>
    And this scenario created no virtual machine

    Examples:
      | case              | name         | cpus | memory | disk | field  |
      | no name           |              | 1    | 512    | 10   | name   |
      | spaces in name    | Web Server 1 | 1    | 512    | 10   | name   |
      | no CPUs           | ok-name      | 0    | 512    | 10   | CPUs   |
      | too many CPUs     | ok-name      | 65   | 512    | 10   | CPUs   |
      | too little memory | ok-name      | 1    | 64     | 10   | memory |
      | no disk           | ok-name      | 1    | 512    | 0    | disk   |

  Scenario: Two virtual machines cannot share a name
    Given a virtual machine "db-1"
    When I request another virtual machine "db-1"
    Then the request is refused because the name is already taken

  Scenario: Asking for a virtual machine that does not exist
    When I look up a virtual machine that does not exist
    Then I am told that it does not exist

  Scenario: Every state change is announced in real time, in order
    Given I follow the real-time event stream
    When I request a virtual machine "stream-1"
    And "stream-1" is running within 10 seconds
    And I stop "stream-1"
    Then the event stream announced "stream-1" becoming provisioning, running, stopped, in that order

  @model
  Scenario: Any sequence of operations keeps every view of the machines consistent
    Then any sequence of requests, actions, refusals and deletions of machines keeps their details, lists, filters, counts, histories and event stream in agreement with what was done
