@system @frontend @rest-api
Feature: Data the dashboard loads
  As a frontend engineer building the NovaCron dashboard
  I want the API to give complete, consistent data in pages and filters, and precise errors for forms
  So that the dashboard shows exactly what exists and tells users which field to fix

  Background:
    Given I am signed in as an operator

  Scenario: Paging through the machine list shows every machine exactly once
    Given 7 virtual machines of mine
    When I read my machines 3 to a page
    Then I get 3 pages holding all 7 machines, each exactly once
    And every page states the same total of 7

  Scenario: Filtering the machine list by state
    Given 2 running virtual machines and 1 stopped virtual machine of mine
    When I filter my machines by the state stopped
    Then I see exactly the 1 stopped machine

  Scenario: The overview counts match the machines that exist
    Given 2 running virtual machines and 1 stopped virtual machine of mine
    When I open the overview of my machines
    Then it counts 3 machines: 2 running and 1 stopped

  Scenario: A form with several mistakes gets a message for each field
    Given I am signed in as an admin
    When I submit a new user account with an invalid email address, a 3-character password and an unknown role
    Then the form is refused with a message for the email, the password and the role
