@performance @stress
Feature: Scalability limits
  As a capacity planner
  I want to know how much concurrent work one control plane sustains within its service levels
  So that deployments are sized before the load arrives, not after

  Scenario: Concurrency rises step by step until a service level breaks
    Given I am signed in as an operator
    And 20 virtual machines are on the dashboard
    And the service limits are: at most 1% of requests fail and the 99th percentile response time stays below 500 milliseconds
    When the concurrent requests to the virtual machine list double from 5 to 320, 5 seconds at each step
    Then the maximum sustainable concurrency and throughput are reported
    And at least 40 concurrent requests are sustained within the limits
