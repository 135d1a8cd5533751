@system @backend @federation
Feature: Federation of clusters
  As a platform owner running NovaCron clusters in several regions
  I want them joined in one federation that places machines across clusters and tracks them everywhere
  So that a workload runs wherever there is room, and every cluster knows where everything runs

  Background:
    Given I am signed in as an operator
    And the peer clusters "east" and "west" have joined the federation in one region

  Scenario: The federation status shows every member
    When I look at the federation status
    Then it lists the local cluster, "east" and "west", each reachable
    And each of them reports its capacity, when it was last seen and how many machines it runs

  Scenario Outline: A machine requested through one cluster is created in another
    When I request the federated machine "<machine>" through <via> to run on <target>
    Then "<machine>" is created on <target> and runs there within 5 seconds
    And <target> counts "<machine>" among the machines it runs

    Examples:
      | machine | via               | target            |
      | api-1   | the local cluster | "east"            |
      | api-2   | "east"            | "west"            |
      | api-3   | "west"            | the local cluster |

  Scenario: Without a named cluster, a machine is placed on another cluster of the same region
    When I request the federated machine "auto-1" through "east" without naming a cluster
    Then "auto-1" is created on "west" and runs there within 5 seconds

  Scenario: Every member holds the same version of a federated machine's record
    When I request the federated machine "db-1" through the local cluster to run on "east"
    And "db-1" is created on "east" and runs there within 5 seconds
    Then within 5 seconds the local cluster, "east" and "west" hold the same version of the record of "db-1"
    And that version counts both changes of "db-1": its placement and its start

  @needs-federation-reachability
  Scenario: Requests to an unreachable member fail clearly while the others keep working
    Given "east" has become unreachable
    When I request the federated machine "lost-1" through "east" without naming a cluster
    Then the request is refused because "east" is unreachable
    When I request the federated machine "lost-2" through the local cluster to run on "east"
    Then the request is refused because "east" is unreachable
    When I request the federated machine "kept-1" through the local cluster to run on "west"
    Then "kept-1" is created on "west" and runs there within 5 seconds
    And the federation status shows "east" unreachable since it was last seen, and the others reachable

  @needs-federation-reachability
  Scenario: A member that was unreachable catches up once it is back
    Given "west" has become unreachable
    When I request the federated machine "late-1" through the local cluster to run on "east"
    And "late-1" is created on "east" and runs there within 5 seconds
    Then within 5 seconds every reachable member holds the latest version of "late-1", and "west" holds no record of it
    When "west" is reachable again
    Then within 5 seconds "west" holds that version of "late-1", as the local cluster and "east" do
