@performance @load
Feature: Concurrent operations and API load
  As the owner of a NovaCron platform
  I want the control plane to keep up when many requests arrive at once
  So that teams provisioning and watching workloads together are never held up by it

  Background:
    Given I am signed in as an operator

  Scenario: 100 virtual machines requested 20 at a time
    When I request 100 virtual machines, 20 at a time
    Then at least 95% of the requests succeed
    And the average response time is below 5 seconds
    And the 95th percentile response time is below 2 seconds
    And all 100 virtual machines are running within 30 seconds
    And the total time and the throughput in virtual machines per second are reported

  Scenario: A lifecycle mix over 50 virtual machines
    When 50 virtual machines are each created, stopped, started and deleted, 10 at a time
    Then every operation of the mix succeeds
    And the 95th percentile response time of each kind of operation is below 2 seconds
    And none of the 50 virtual machines is left

  Scenario: The dashboard's views under 1000 requests from 50 concurrent connections
    Given 20 virtual machines are on the dashboard
    When 50 concurrent connections make 1000 requests across the dashboard's views
    Then at least 95% of the requests succeed
    And the 95th percentile response time is below 2 seconds
    And the throughput is at least 50 requests per second
    And every view of the dashboard answered
