@performance @benchmarks @frontend
Feature: The dashboard's screens get their data in time
  As a product owner
  I want the data behind each screen of the dashboard to arrive within the frontend's time budgets
  So that the dashboard never feels slow because of the control plane

  Scenario: The dashboard opens and pages through 100 machines within the frontend budgets
    Given I am signed in as an operator
    And 100 virtual machines are on the dashboard
    When I open the dashboard and page through every virtual machine, 20 to a page
    Then the dashboard's first screen had all its data within 5 seconds
    And the first page of the virtual machine list arrived within 3 seconds
    And every further page arrived within 2 seconds
    And all 100 virtual machines had arrived within 8 seconds
