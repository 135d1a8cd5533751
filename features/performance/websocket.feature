@performance @websocket
Feature: Real-time updates at scale
  As a team lead whose whole team keeps a dashboard open
  I want every open dashboard to receive every update promptly
  So that nobody acts on a stale view of the platform

  Background:
    Given I am signed in as an operator

  Scenario: Every one of 200 connected dashboards receives every update
    When 200 dashboards connect to the real-time stream at once
    Then all 200 dashboards are connected
    And the 95th percentile connection time is below 5 seconds
    When 3 virtual machines are requested while they watch
    Then every dashboard receives the announcement of each of them
    And the 95th percentile delivery time is below 1 second

  Scenario: Disconnected dashboards release their connections
    Given 150 dashboards connected to the real-time stream
    When they all disconnect
    Then the control plane holds no connections for them within 5 seconds
