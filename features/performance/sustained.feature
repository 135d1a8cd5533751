@performance @sustained
Feature: Sustained load
  As an operator on call
  I want the control plane to hold a steady stream of requests without drifting or swelling
  So that a busy day does not end with a slow or exhausted control plane

  Scenario: 20 requests per second for 60 seconds within resource limits
    Given I am signed in as an operator
    And 20 virtual machines are on the dashboard
    When the dashboard's views receive 20 requests per second for 60 seconds while the control plane's resources are watched
    Then at least 90% of the target rate is achieved
    And at most 1% of the requests fail
    And the 99th percentile response time is below 1 second
    And the control plane used less than 90% of a processor core over the run
    And its peak memory stayed below 85% of the host's memory
    And its memory grew by less than 50 MB over the run

  Scenario: The configured user load is served within the service levels
    Given I am signed in as an operator
    And 20 virtual machines are on the dashboard
    And the configured number of users, each with an account of their own
    When they use the dashboard's views for the configured duration, ramping up and pausing as configured
    Then at least 99% of the requests succeed
    And the 95th percentile response time is below 2 seconds
