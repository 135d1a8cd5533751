@system @backend @network @exclusive
Feature: Network isolation between segments
  As a network administrator hosting several teams' workloads on NovaCron
  I want machines grouped into segments whose traffic stays apart unless a policy lets it through
  So that no workload can reach another it has no business talking to

  # Segments share one address space across the control plane, so these scenarios run alone.

  Background:
    Given I am signed in as an operator

  Scenario Outline: A segment gets a validated subnet and a gateway inside it
    When I create the segment "<segment>" on <subnet> with <gateway choice>
    Then the segment "<segment>" covers <subnet> with the gateway <gateway>
    And the segment "<segment>" is bridged

    Examples:
      | segment  | subnet           | gateway choice           | gateway       |
      | frontend | 10.20.1.0/24     | the default gateway      | 10.20.1.1     |
      | backend  | 10.20.8.0/22     | the gateway 10.20.11.254 | 10.20.11.254  |
      | lab      | 192.168.40.0/28  | the default gateway      | 192.168.40.1  |
      | edge     | 192.168.255.0/24 | the default gateway      | 192.168.255.1 |

  Scenario Outline: An invalid or overlapping subnet is refused with the reason
    Given the segment "existing" on 10.30.0.0/16
    When I try to create the segment "<segment>" on "<subnet>"
    Then the segment is refused because <reason>
    And there is no segment "<segment>"

    Examples:
      | segment      | subnet           | reason                                     |
      | typo         | 10.30.300.0/24   | the subnet is not an IPv4 CIDR             |
      | no-prefix    | 10.40.0.0        | the subnet is not an IPv4 CIDR             |
      | three-octets | 10.40.0/24       | the subnet is not an IPv4 CIDR             |
      | leading-zero | 10.040.0.0/16    | the subnet is not an IPv4 CIDR             |
      | text-before  | net/10.40.3.0/24 | the subnet is not an IPv4 CIDR             |
      | text-after   | 10.40.4.0/24x    | the subnet is not an IPv4 CIDR             |
      | host-bits    | 10.40.1.7/24     | the subnet has host bits set               |
      | too-small    | 10.40.2.0/31     | the prefix length is out of range          |
      | inside       | 10.30.5.0/24     | the subnet overlaps the segment "existing" |
      | around       | 10.0.0.0/8       | the subnet overlaps the segment "existing" |
      | same         | 10.30.0.0/16     | the subnet overlaps the segment "existing" |

  Scenario: Machines attached to a segment get distinct addresses inside it
    Given the segment "apps" on 10.50.0.0/29
    And virtual machines "app-1", "app-2" and "app-3"
    When I attach "app-1", "app-2" and "app-3" to the segment "apps"
    Then "app-1", "app-2" and "app-3" have distinct addresses in 10.50.0.0/29, none of them the gateway

  Scenario: Traffic between segments is denied by default while it flows inside a segment
    Given the segments "web" on 10.60.1.0/24 and "db" on 10.60.2.0/24
    And a virtual machine "web-1" attached to the segment "web"
    And a virtual machine "web-2" attached to the segment "web"
    And a virtual machine "db-1" attached to the segment "db"
    When I test whether "web-1" reaches "db-1" on TCP port 5432
    Then it is not reachable, decided by the default deny rule
    When I test whether "web-1" reaches "web-2" on TCP port 80
    Then it is reachable, decided by the same-segment rule

  Scenario Outline: A policy opens exactly the ports and the direction it names
    Given the segments "web" on 10.70.1.0/24 and "db" on 10.70.2.0/24
    And a virtual machine "web-1" attached to the segment "web"
    And a virtual machine "db-1" attached to the segment "db"
    And a policy "web-to-db" allowing TCP port 5432 from the segment "web" to the segment "db"
    When I test whether "<from>" reaches "<to>" on <protocol> port <port>
    Then it is <verdict>, decided by <rule>

    Examples:
      | from  | to    | protocol | port | verdict       | rule                   |
      | web-1 | db-1  | TCP      | 5432 | reachable     | the policy "web-to-db" |
      | web-1 | db-1  | TCP      | 22   | not reachable | the default deny rule  |
      | web-1 | db-1  | UDP      | 5432 | not reachable | the default deny rule  |
      | db-1  | web-1 | TCP      | 5432 | not reachable | the default deny rule  |

  @model
  Scenario: Any sequence of operations keeps every view of the networks and their policies consistent
    Then any sequence of segment creations, attachments, policies, refusals and deletions keeps every segment, address, policy and the reachability between every pair of machines in agreement with what the policies say
