@performance @traffic-shapes
Feature: Traffic that rises and falls
  As the owner of a NovaCron platform
  I want the control plane to keep its service levels while traffic rises, peaks and falls back
  So that a morning rush or a busy release day never slows the teams down

  Background:
    Given I am signed in as an operator
    And 20 virtual machines are on the dashboard

  Scenario: A rush of requests that rises, holds and falls back is served within the service levels
    When the dashboard's views receive requests per second in these stages:
      | from | to | over       |
      | 5    | 40 | 20 seconds |
      | 40   | 40 | 20 seconds |
      | 40   | 5  | 10 seconds |
    Then at least 90% of the target rate is achieved
    And at most 1% of the requests fail
    And the 95th percentile response time is below 2 seconds

  Scenario: A sudden spike of requests is absorbed within the service levels
    When the dashboard's views receive requests per second in these stages:
      | from | to | over       |
      | 5    | 5  | 10 seconds |
      | 5    | 50 | 1 second   |
      | 50   | 50 | 10 seconds |
      | 50   | 5  | 1 second   |
      | 5    | 5  | 10 seconds |
    Then at least 90% of the target rate is achieved
    And at most 1% of the requests fail
    And the 95th percentile response time is below 2 seconds

  Scenario: Users who arrive, stay and leave are served within the service levels
    When users of the dashboard's views come and go in these stages:
      | from | to | over       |
      | 0    | 20 | 10 seconds |
      | 20   | 20 | 20 seconds |
      | 20   | 0  | 10 seconds |
    Then at most 1% of the requests fail
    And the 95th percentile response time is below 2 seconds
