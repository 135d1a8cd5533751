@performance @benchmarks
Feature: Service level benchmarks
  As a product owner
  I want the control plane's speed stated as service levels and checked on every release
  So that a regression in speed is caught like any other defect

  Background:
    Given I am signed in as an operator
    And 20 virtual machines are on the dashboard

  Scenario Outline: Each view of the dashboard meets its service level
    When 50 concurrent connections request the <view> 1000 times
    Then the 95th percentile response time is below <p95 limit>
    And at most <failure limit> of the requests fail
    And the throughput is at least <throughput> requests per second

    Examples:
      | view                    | p95 limit | failure limit | throughput |
      | virtual machine list    | 2 seconds | 5%            | 50         |
      | virtual machine details | 2 seconds | 5%            | 50         |
      | dashboard summary       | 2 seconds | 5%            | 50         |
      | health overview         | 2 seconds | 5%            | 50         |
