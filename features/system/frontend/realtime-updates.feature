@system @frontend @realtime
Feature: Real-time updates
  As a user watching the NovaCron dashboard
  I want every change to appear as it happens, in order, even after my connection drops
  So that what I see is never stale or out of order

  Background:
    Given I am signed in as an operator

  @smoke
  Scenario: A subscriber sees every state change of a machine in order
    Given I follow the real-time event stream
    And a running virtual machine "live-1"
    When I pause "live-1"
    And I resume "live-1"
    And I stop "live-1"
    Then the event stream announced "live-1" becoming provisioning, running, paused, running, stopped, in that order

  Scenario: After a dropped connection, the subscriber catches up on what it missed
    Given I follow the real-time event stream
    And a running virtual machine "gap-1"
    When my connection drops
    And I stop "gap-1"
    And I start "gap-1"
    And I reconnect
    Then the event stream announced "gap-1" becoming provisioning, running, stopped, running, in that order
    And no event was delivered twice

  Scenario: A subscriber that chooses topics is told about those topics only
    Given I follow the real-time event stream for storage events only
    And I follow the real-time event stream for machine events only
    And a running virtual machine "topic-1"
    When I create a 1 GB volume "topic-vol" on the HOT tier
    Then the subscriber to storage events was told about the volume "topic-vol" and about nothing but storage
    And the subscriber to machine events was told about "topic-1" and about nothing but machines

  Scenario Outline: The stream refuses a subscriber without a valid session
    When someone connects to the event stream <credentials>
    Then the connection is refused

    Examples:
      | credentials                  |
      | without signing in           |
      | with a made-up session       |
      | with a session that has ended |

  @model
  Scenario: Any sequence of subscriptions and changes gives every subscriber the same events, in order
    Then any sequence of subscriptions of any topics, replays from any point, reconnections, refused subscriptions and operations that publish gives every subscriber exactly the events of its topics after its starting point, in order, as every other subscriber sees them
