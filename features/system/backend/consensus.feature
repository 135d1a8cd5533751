@system @backend @consensus @needs-sandbox-clusters
Feature: Consensus among the control-plane nodes
  As a platform engineer whose workloads depend on NovaCron's control plane
  I want its nodes to agree on a single leader and a single history of changes, whatever the network does
  So that an acknowledged change is never lost and the cluster never acts on two conflicting views

  Every scenario runs on a cluster of its own and watches it from start to end: at no moment may
  two nodes lead in the same term, a committed change be rewritten or lost, or a commit be undone.

  Background:
    Given I am signed in as an operator

  Scenario: Exactly one node leads a healthy cluster
    Given a control-plane cluster of 3 nodes
    Then exactly one node leads the cluster within 2 seconds
    And every node follows that leader
    And the same node keeps the lead for 2 seconds while the network is healthy

  @needs-node-failure
  Scenario: A new leader takes over when the leader fails
    Given a control-plane cluster of 3 nodes with a leader
    When the leader fails
    Then another node leads the cluster within 1 second
    And the new leader's term is higher than the failed leader's

  Scenario: Data written through any node reads the same from every node
    Given a control-plane cluster of 3 nodes with a leader
    When a client stores these settings, each through the node named:
      | node   | setting | value   |
      | node-1 | region  | eu-west |
      | node-2 | tier    | gold    |
      | node-3 | owner   | team-a  |
    Then every node reads the same settings within 1 second

  @needs-partitions
  Scenario: A minority partition cannot commit
    Given a control-plane cluster of 3 nodes with a leader
    When the network cuts the leader off from the other nodes
    And a client tries to store "mode" as "split" through the cut-off node
    Then that write is not acknowledged
    And no node reads a value for "mode"
    When a client stores "mode" as "whole" through the connected nodes
    And the network heals
    Then every node reads "mode" as "whole" within 2 seconds

  @needs-partitions
  Scenario: No acknowledged write is lost when a partition heals
    Given a control-plane cluster of 3 nodes with a leader
    When the network cuts a follower off from the other nodes
    And a client stores 5 settings through the connected nodes
    And the cut-off node stays cut off for 1 second
    And the network heals
    Then every node holds every acknowledged write within 2 seconds

  @needs-node-failure
  Scenario: Writes are refused without quorum and nothing is half-applied
    Given a control-plane cluster of 3 nodes with a leader
    When both followers fail
    And the leader has noticed it lost its majority
    And a client tries to store "quorum" as "lost" through the leader
    Then that write is refused within 2 seconds
    And no node reads a value for "quorum"
    When the failed nodes restart
    Then the cluster accepts writes again within 3 seconds
    And once the nodes agree, no node reads a value for "quorum"

  @needs-node-failure
  Scenario: A restarted node catches up
    Given a control-plane cluster of 3 nodes with a leader
    When a follower fails
    And a client stores 5 settings through the leader
    And the failed node restarts
    Then the restarted node reads all 5 settings within 2 seconds
    And every node holds every acknowledged write within 2 seconds

  @needs-link-faults @needs-node-failure
  Scenario: Leadership stays unique on a slow, lossy network
    Given a control-plane cluster of 5 nodes with a leader
    When every link delays messages by 100 ms and loses 10% of them
    And the leader fails and comes back, 4 times in a row, a second apart
    And every link is healthy again
    Then the cluster accepts writes again within 3 seconds

  @simulation @history @needs-link-faults @needs-node-failure @needs-partitions
  Scenario: Under any schedule of partitions, crashes and lossy links the acknowledged history holds
    Given a control-plane cluster of 3 nodes with a leader
    When 3 clients write and read settings through any node for 6 seconds while the network and the nodes fail at random
    Then every acknowledged change is kept once, in the order it was acknowledged, nothing refused is applied, and every read answers what the history held at the point it claims
