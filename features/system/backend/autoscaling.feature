@system @backend @autoscaling
Feature: Autoscaling of virtual machine groups
  As an operator of a web tier whose traffic rises and falls through the day
  I want groups of virtual machines that grow under sustained load and shrink when it passes
  So that the tier keeps up with demand without paying for machines that sit idle

  A group judges the average use of its machines over an evaluation window, changes one machine
  at a time, stays within its size limits, and rests for a cooldown after each change.

  Background:
    Given I am signed in as an operator

  @needs-load-injection
  Scenario: Sustained high CPU grows the group
    Given I follow the real-time event stream
    And a scaling group "web" with this policy:
      | size              | 1 to 3 machines        |
      | grow above        | 70% CPU or 80% memory  |
      | shrink below      | 30% CPU and 30% memory |
      | evaluation window | 1 second               |
      | cooldown          | 1 second               |
    And the members of "web" have run at 40% CPU for 1.5 seconds
    When the members of "web" run at 90% CPU
    Then "web" grows to 2 machines within 2 seconds
    And the scale-up of "web" is announced on the event stream
    And the history of the new machine in "web" records the scale-up

  @needs-load-injection
  Scenario: Sustained memory pressure grows the group
    Given a scaling group "cache" with this policy:
      | size              | 1 to 3 machines        |
      | grow above        | 70% CPU or 80% memory  |
      | shrink below      | 30% CPU and 30% memory |
      | evaluation window | 1 second               |
      | cooldown          | 1 second               |
    And the members of "cache" have run at 40% CPU for 1.5 seconds
    When the members of "cache" run at 50% CPU and 92% memory
    Then "cache" grows to 2 machines within 2 seconds, because of its memory

  @needs-load-injection
  Scenario: Sustained low load shrinks the group to its minimum and no further
    Given a scaling group "batch" with this policy:
      | size              | 2 to 4 machines, starting with 4 |
      | grow above        | 70% CPU or 80% memory            |
      | shrink below      | 30% CPU and 30% memory           |
      | evaluation window | 0.5 seconds                      |
      | cooldown          | 0.5 seconds                      |
    When the members of "batch" run at 5% CPU and 20% memory
    Then "batch" shrinks to 2 machines within 5 seconds
    And "batch" stays at 2 machines for 3 seconds
    And every decision of "batch" was to shrink

  @needs-load-injection
  Scenario: The group never grows past its maximum
    Given a scaling group "api" with this policy:
      | size              | 1 to 2 machines        |
      | grow above        | 70% CPU or 80% memory  |
      | shrink below      | 30% CPU and 30% memory |
      | evaluation window | 0.5 seconds            |
      | cooldown          | 0.5 seconds            |
    When the members of "api" run at 95% CPU
    Then "api" grows to 2 machines within 3 seconds
    And "api" stays at 2 machines for 3 seconds

  @needs-load-injection
  Scenario: Load between the thresholds leaves the group alone
    Given a scaling group "steady" with this policy:
      | size              | 1 to 3 machines, starting with 2 |
      | grow above        | 70% CPU or 80% memory            |
      | shrink below      | 30% CPU and 30% memory           |
      | evaluation window | 0.5 seconds                      |
      | cooldown          | 0.5 seconds                      |
    When the members of "steady" run at 50% CPU and 50% memory
    Then "steady" stays at 2 machines for 4 seconds
    And "steady" made no scaling decision

  @needs-load-injection
  Scenario: No second decision inside the cooldown
    Given a scaling group "burst" with this policy:
      | size              | 1 to 5 machines        |
      | grow above        | 70% CPU or 80% memory  |
      | shrink below      | 30% CPU and 30% memory |
      | evaluation window | 0.5 seconds            |
      | cooldown          | 3 seconds              |
    When the members of "burst" run at 90% CPU
    Then "burst" grows to 2 machines within 2 seconds
    And "burst" decides nothing more until 3 seconds after that
    And "burst" grows again within 2 seconds once the cooldown is over

  @needs-load-injection
  Scenario: A spike shorter than the evaluation window does not scale the group
    Given a scaling group "spiky" with this policy:
      | size              | 1 to 3 machines        |
      | grow above        | 70% CPU or 80% memory  |
      | shrink below      | 30% CPU and 30% memory |
      | evaluation window | 2 seconds              |
      | cooldown          | 1 second               |
    And the members of "spiky" have run at 40% CPU for 2.5 seconds
    When the members of "spiky" spike to 95% CPU for 0.4 seconds
    Then "spiky" stays at 1 machine for 3 seconds

  @model @simulation @exclusive @needs-load-injection
  Scenario: Any sequence of operations keeps every group within its policy and every view of it consistent
    Then any sequence of group creations, loads, lost members, refusals and deletions moves each group only as its policy says and keeps every group's details, lists, decisions, members, their histories and the event stream in agreement with what was done
