@mle-star @workflow
Feature: The MLE-Star workflow
  As a data scientist shipping models on NovaCron
  I want every project to go through the seven MLE-Star stages, in order
  So that no model reaches production without a specification, a design, code, a measured
  evaluation, a deployment, monitoring and a maintenance plan

  Background:
    Given I am signed in as an operator

  @smoke
  Scenario: A project goes through all seven stages, from specification to maintenance
    Given I follow the real-time event stream
    And a pytorch classification project "integration-test-project" aiming for an accuracy of at least 0.8
    When I run its MLE-Star workflow
    Then the workflow completes within 30 seconds
    And every stage ran once, in order
    And the event stream announced each stage starting and completing, in order
    And the evaluation reached an accuracy of at least 0.8 on data the model never saw
    And the model answers predictions in staging and production
    And a retraining schedule is set

  Scenario: A stage cannot run before the stages it depends on
    Given a sklearn regression project "house-prices" aiming for an R squared of at least 0.8
    When I try to run its evaluation stage
    Then the request is refused because specification has not succeeded yet
    And no stage of the project has run
    When I run its specification stage
    Then the specification stage succeeds within 10 seconds
    When I try to run its implementation stage
    Then the request is refused because design has not succeeded yet

  Scenario: A failed stage stops the workflow with a clear reason
    Given a sklearn classification project "noisy-iris" aiming for an accuracy of at least 0.8
    And its data is 3 times as noisy as usual
    When I run its MLE-Star workflow
    Then the workflow stops at the evaluation stage within 30 seconds
    And the reason given is that the accuracy is below its target
    And deployment, monitoring and maintenance have not run
    And the project has no deployed model

  Scenario: A stopped workflow resumes from the stage that needs another try
    Given a sklearn classification project "quick-iris" aiming for an accuracy of at least 0.8
    And it trains for only 1 epoch at a learning rate of 0.001
    And its MLE-Star workflow has stopped at the evaluation stage
    When its training is changed to 100 epochs at a learning rate of 0.05
    And I resume its workflow from the design stage
    Then the workflow completes within 30 seconds
    And specification ran once, and design, implementation and evaluation ran twice

  Scenario Outline: An invalid project configuration is refused, naming the setting at fault
    When I create a project whose <setting> is "<value>"
    Then the project is refused as invalid, naming the <setting>
    And no project was created

    Examples:
      | setting                | value         |
      | name                   | Iris Project  |
      | framework              | jax           |
      | project type           | images        |
      | accuracy target        | 1.5           |
      | sample count           | -10           |
      | hidden layer size      | 0             |
      | deployment environment | qa            |
      | retraining schedule    | every tuesday |

  Scenario: A project without its essentials is refused, naming each missing setting
    When I create a project with nothing but a description
    Then the project is refused as invalid, naming the name, framework, project type and metric targets
    And no project was created
