@mle-star @frameworks
Feature: Every framework on every project type
  As a data scientist free to choose PyTorch, TensorFlow or scikit-learn
  I want each framework to take any project type through the workflow to its metric target
  So that the choice of framework is a matter of taste, not of what works

  Background:
    Given I am signed in as an operator

  Scenario Outline: Each framework reaches the metric target of each project type
    Given a <framework> <type> project "<project>" aiming for <target>
    When I run its MLE-Star workflow
    Then the workflow completes within 30 seconds
    And the evaluation reached <target> on data the model never saw
    And recomputing the metrics from the held-out predictions gives the reported values
    And the production model answers the held-out samples as the evaluation predicted

    Examples: Classification (upstream bar: accuracy above 0.8 in every framework)
      | framework  | type           | project    | target                      |
      | pytorch    | classification | torch-iris | an accuracy of at least 0.8 |
      | tensorflow | classification | keras-iris | an accuracy of at least 0.8 |
      | sklearn    | classification | sk-iris    | an accuracy of at least 0.8 |

    Examples: Regression, clustering and time series
      | framework  | type        | project      | target                       |
      | pytorch    | regression  | torch-houses | an R squared of at least 0.8 |
      | tensorflow | regression  | keras-houses | an R squared of at least 0.8 |
      | sklearn    | regression  | sk-houses    | an R squared of at least 0.8 |
      | pytorch    | clustering  | torch-shops  | a silhouette of at least 0.5 |
      | tensorflow | clustering  | keras-shops  | a silhouette of at least 0.5 |
      | sklearn    | clustering  | sk-shops     | a silhouette of at least 0.5 |
      | pytorch    | time series | torch-sales  | a MAPE of at most 0.1        |
      | tensorflow | time series | keras-sales  | a MAPE of at most 0.1        |
      | sklearn    | time series | sk-sales     | a MAPE of at most 0.1        |
