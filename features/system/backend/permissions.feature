@system @backend @security @permissions
Feature: Every operation checks the caller's role as the contract says
  As a security officer responsible for a NovaCron cloud
  I want every operation of the control plane to refuse the roles below the lowest one the contract
  names for it, without changing anything, and to work, with its effect, for every role from that one up
  So that a permission check forgotten or weakened anywhere in the control plane cannot go unnoticed

  The contract names the lowest role of every operation: anyone, viewer, operator or admin. Someone
  not signed in is asked to sign in; a signed-in role below the lowest one is forbidden.

  Scenario Outline: Each role may do exactly what the contract allows with <area>
    When every role, and someone not signed in, tries every operation on <area>
    Then each call below the operation's lowest role is refused and changes nothing
    And each call from that role up is answered as the contract promises and takes effect

    Examples:
      | area                  |
      | accounts and sessions |
      | virtual machines      |
      | autoscaling           |
      | consensus             |
      | federation            |
      | storage               |
      | networks              |
      | MLE-Star              |

    @simulation @exclusive
    Examples: Failing a component on purpose touches every scenario running beside it
      | area                                |
      | outages of control plane components |
