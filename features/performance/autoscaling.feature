@performance @autoscaling
Feature: Auto-scaling under load
  As the operator of a web tier
  I want the tier to grow as soon as it is busy and shrink once the rush is over
  So that users get capacity when they need it and nobody pays for it afterwards

  Background:
    Given I am signed in as an operator
    And a scaling group of 2 machines that may grow to 4

  @needs-load-injection
  Scenario Outline: A busy group grows, and shrinks back when the load falls
    When the members' <resource> use rises to <busy>%
    Then the group decides to scale up because of its <resource> within 5 seconds
    And its new machine is running within 5 seconds
    When the members' use falls back to idle
    Then the group shrinks back to 2 machines within 15 seconds

    Examples:
      | resource  | busy |
      | processor | 90   |
      | memory    | 95   |
