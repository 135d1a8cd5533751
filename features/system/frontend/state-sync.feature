@system @frontend @state-sync
Feature: State shared between tabs
  As a user with the NovaCron dashboard open in several tabs or on several screens
  I want a change made in one to show in the others at once
  So that I never act on stale information

  Background:
    Given I am signed in as an operator
    And I have the dashboard open in two tabs

  Scenario Outline: A change made in either tab appears in the other within a second
    Given a running virtual machine "shared-1"
    When I <action> "shared-1" from the <tab> tab
    Then both tabs show "shared-1" as <state> within 1 second

    Examples:
      | action | tab    | state   |
      | stop   | first  | stopped |
      | pause  | second | paused  |
