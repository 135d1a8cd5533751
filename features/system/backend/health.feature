@system @backend @health
Feature: System health
  As an SRE on call for NovaCron
  I want one health check that says whether the control plane and each of its components work
  So that I see at a glance what is broken, and load balancers stop sending traffic to a broken node

  @smoke
  Scenario: A healthy control plane reports each of its components
    When anyone checks the system health without signing in
    Then the system is healthy
    And the health report covers the database, the cache, storage, compute and consensus, each healthy
    And the health report names the service and its version

  Scenario: The load balancer check and the detailed health view agree
    When anyone checks the system health without signing in
    Then the load balancer check and the detailed health view give the same status

  @simulation @exclusive @needs-component-failure
  Scenario Outline: A failed component shows in the health, which recovers without a restart
    Given the <component> has failed
    Then within 2 seconds the system is <overall> and the <component> is reported as unhealthy
    When the <component> recovers
    Then the system is healthy again within 5 seconds

    Examples:
      | component | overall   |
      | storage   | degraded  |
      | compute   | degraded  |
      | cache     | degraded  |
      | database  | unhealthy |
      | consensus | degraded  |

  @simulation @exclusive @needs-component-failure
  Scenario: While the database is down, changes are refused and nothing is half-written
    Given I am signed in as an operator
    And the database has failed
    When I request a virtual machine "orphan-1"
    Then the request is refused because the service is unavailable
    When the database recovers
    Then no virtual machine "orphan-1" exists
