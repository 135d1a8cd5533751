@system @frontend @browser
Feature: The NovaCron dashboard in a browser
  As an operator who watches and runs the machines from the NovaCron dashboard
  I want the page itself, in a real browser, to show what the control plane knows, at once
  So that what I see is what is true, in every tab I have open

  The dashboard is opened in a real Chromium. Everything on it is found as a person finds it: by
  its role, its label and its text (contract/ui.md lists them). An error the page reports in the
  browser's console, an uncaught exception in it, or a server error it receives fails the scenario,
  whatever the steps say.

  Scenario: Signing in to the dashboard with empty fields says what is missing next to each field
    Given the dashboard is open
    When I sign in to the dashboard without a user name or a password
    Then the dashboard says "Enter your user name or email" next to the user name field
    And the dashboard says "Enter your password" next to the password field
    And the dashboard still asks me to sign in

  Scenario: The dashboard refuses a wrong password without saying which part was wrong
    Given an operator account
    And the dashboard is open
    When I sign in to the dashboard as the operator with a wrong password
    And I sign in to the dashboard as someone who has no account
    Then both refusals on the dashboard read the same and name both the user name and the password
    And the dashboard still asks me to sign in

  # Runs alone: the overview is compared with every machine of the control plane.
  @exclusive
  Scenario: A machine created elsewhere appears on the open dashboard within a second
    Given I am signed in to the dashboard as an operator
    When a virtual machine "live-1" is created without the dashboard
    Then the dashboard lists "live-1" within 1 second, without a reload
    And the dashboard's overview counts every machine of the control plane within 1 second

  Scenario: Two tabs of the dashboard stay in step, and signing out in one signs out both
    Given I am signed in to the dashboard as an operator in two tabs
    And a running virtual machine "tabs-1"
    And the second tab of the dashboard lists "tabs-1" as running
    When I stop "tabs-1" on the dashboard in the first tab
    Then the second tab of the dashboard lists "tabs-1" as stopped within 1 second
    When I sign out of the dashboard in the second tab
    Then the first tab of the dashboard asks me to sign in within 1 second
    And opening the dashboard again asks me to sign in

  Scenario: A machine's details on the dashboard show its history in order
    Given I am signed in to the dashboard as an operator
    And a running virtual machine "history-1"
    And "history-1" has been stopped and started again
    When I open "history-1" on the dashboard
    Then the dashboard shows the details of "history-1" as the control plane has them
    And the dashboard shows every step of the history of "history-1", oldest first

  Scenario: Filtering the dashboard's machine list by state
    Given I am signed in to the dashboard as an operator
    And a running virtual machine "filter-run"
    And a virtual machine "filter-stop" that is stopped
    When I choose the state "stopped" in the dashboard's machine list
    Then the dashboard lists "filter-stop" among the stopped machines, and not "filter-run"

  # Runs alone: it measures, and its thousand machines would flood what the others watch.
  @exclusive
  Scenario: The dashboard meets its time budgets with a thousand machines
    Given 1000 virtual machines of the scenario exist
    When I open the dashboard and sign in as an operator
    Then the dashboard's first screen appeared within 5 seconds
    And the machine list appeared within 3 seconds of signing in
    When I list the scenario's machines on the dashboard, 100 to a page
    Then the first 100 machines were shown within 8 seconds
    When I page through the scenario's machines on the dashboard
    Then each page of the dashboard appeared within 2 seconds
    And the dashboard showed each of the 1000 machines exactly once
