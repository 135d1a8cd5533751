@mle-star @templates
Feature: Project templates, customisations and notebooks
  As a data scientist starting a project
  I want the generated project to fit its problem type and to carry my customisations
  So that I start from code and notebooks that are right for my project, not from a blank page

  Background:
    Given I am signed in as an operator

  Scenario Outline: Each project type gets code shaped for its problem
    Given a <framework> <type> project "<project>" aiming for <target>
    When I run its workflow up to the implementation stage
    Then the generated evaluation code measures <metrics>
    And the generated code <shape>
    And every generated Python file compiles

    Examples:
      | framework  | type           | project    | target                       | metrics         | shape                                               |
      | sklearn    | classification | tpl-iris   | an accuracy of at least 0.8  | accuracy and f1 | splits the data stratified by class                 |
      | sklearn    | regression     | tpl-houses | an R squared of at least 0.8 | rmse and r2     | fits a least squares linear regression              |
      | pytorch    | clustering     | tpl-shops  | a silhouette of at least 0.5 | silhouette      | clusters with k-means into 3 segments               |
      | tensorflow | time series    | tpl-sales  | a MAPE of at most 0.1        | mape            | forecasts from a window of the last 12 observations |

  Scenario: A customised network and pipeline show up in the generated code
    Given a pytorch classification project "custom-code" aiming for an accuracy of at least 0.8
    And its network is customised to hidden layers of 64 and 32 units with tanh activation
    And its pipeline scales features to the range 0 to 1
    When I run its workflow up to the implementation stage
    Then the generated model code builds hidden layers of 64 and 32 units with tanh activation
    And the generated code scales features with a min-max scaler
    And the generated configuration records the customised design

  Scenario: A customised estimator and pipeline show up in the generated scikit-learn project
    Given a sklearn classification project "knn-code" aiming for an accuracy of at least 0.8
    And its estimator is customised to 7 nearest neighbours
    And its pipeline does not scale features
    When I run its MLE-Star workflow
    Then the workflow completes within 30 seconds
    And the generated model code uses 7 nearest neighbours
    And the generated code leaves the features unscaled

  Scenario: The eda, training and evaluation notebooks are valid Jupyter notebooks
    Given a tensorflow time series project "notebook-sales" aiming for a MAPE of at most 0.1
    When I run its workflow up to the implementation stage
    Then the notebooks eda, training and evaluation are valid nbformat 4 notebooks
    And each notebook explains itself in text cells and holds code cells that compile
    And the evaluation notebook checks the metric targets
