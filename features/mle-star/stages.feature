@mle-star @stages
Feature: What each MLE-Star stage checks and produces
  As a data scientist
  I want every stage to do real, checkable work and to fail with a reason when it cannot
  So that a project's progress through the stages means something

  Background:
    Given I am signed in as an operator

  @stage-specification
  Scenario: The specification checks the configuration, the metric targets and the data source
    Given a tensorflow classification project "spec-iris" aiming for an accuracy of at least 0.8
    When I run its workflow up to the specification stage
    Then the specification checked the configuration, the metric targets, the data source and the held-out split, and all passed
    And the data profile shows 300 samples of 4 features in 3 classes of 100

  @stage-specification
  Scenario: A data source too small to judge a model fails the specification
    Given a sklearn classification project "tiny-iris" aiming for an accuracy of at least 0.8
    And its data source yields only 24 samples
    When I run its MLE-Star workflow
    Then the workflow stops at the specification stage within 10 seconds
    And the reason given is that the data source has too few samples

  @stage-design
  Scenario Outline: The design chooses an architecture for the framework and the project type
    Given a <framework> <type> project "<project>" aiming for <target>
    When I run its workflow up to the design stage
    Then the design is "<architecture>", trained with "<loss>" and measured by <metrics>

    Examples:
      | framework  | type           | project         | target                       | architecture                                 | loss               | metrics         |
      | pytorch    | classification | design-torch    | an accuracy of at least 0.8  | feed-forward network 4-16-3                  | CrossEntropyLoss   | accuracy and f1 |
      | tensorflow | regression     | design-keras    | an R squared of at least 0.8 | feed-forward network 4-32-16-1               | mean_squared_error | rmse and r2     |
      | sklearn    | classification | design-logistic | an accuracy of at least 0.8  | logistic regression                          | log_loss           | accuracy and f1 |
      | sklearn    | clustering     | design-kmeans   | a silhouette of at least 0.5 | k-means with 3 clusters                      | inertia            | silhouette      |
      | pytorch    | time series    | design-forecast | a MAPE of at most 0.1        | seasonal autoregression over 12 observations | MSELoss            | mape            |

  @stage-design
  Scenario: A customised network replaces the framework's default design
    Given a pytorch classification project "custom-net" aiming for an accuracy of at least 0.8
    And its network is customised to hidden layers of 64 and 32 units with tanh activation
    When I run its MLE-Star workflow
    Then the workflow completes within 30 seconds
    And the design is a feed-forward network 4-64-32-3 with tanh activation

  @stage-design
  Scenario: A design too large to train fails the design stage
    Given a pytorch classification project "huge-net" aiming for an accuracy of at least 0.8
    And its network is customised to hidden layers of 256 and 256 units
    And it trains for 1000 epochs on 5000 samples
    When I run its MLE-Star workflow
    Then the workflow stops at the design stage within 10 seconds
    And the reason given is that the design is too large to train

  @stage-implementation
  Scenario: The implementation generates the project's code, configuration and notebooks
    Given a tensorflow regression project "impl-houses" aiming for an R squared of at least 0.8
    When I run its workflow up to the implementation stage
    Then the project contains model.py, train.py, evaluate.py, preprocessing.py, requirements.txt, config.yaml and README.md
    And it contains the notebooks eda, training and evaluation
    And its requirements name tensorflow
    And every generated Python file compiles

  @stage-evaluation
  Scenario: The evaluation trains the model and measures it on data it never saw
    Given a pytorch regression project "eval-houses" aiming for an R squared of at least 0.8 and an RMSE of at most 40
    When I run its workflow up to the evaluation stage
    Then the metrics were measured on 120 held-out samples the model was not trained on
    And recomputing the metrics from the held-out predictions gives the reported values
    And the evaluation reached an R squared of at least 0.8 on data the model never saw
    And the evaluation reached an RMSE of at most 40 on data the model never saw

  @metamorphic @stage-evaluation
  Scenario: Measured independently, the evaluation holds up: on rows held back, under shuffled and noisy labels, and by the content of its split
    Given labelled measurements of three overlapping species, a quarter of them held back from every project
    When one scikit-learn classification project learns the other rows with their true labels, one with a fifth of the labels flipped and one with the labels shuffled, each up to deployment
    Then the model of the true labels beats chance on the held-back rows, while the model of shuffled labels and its report stay at chance
    And each report's held-out accuracy agrees with what its model shows on the held-back rows, and claims no more than it scores on its own training rows
    And each report's held-out rows are rows it was given, each once and with the label given, apart from the rows it trained on
    And noisier labels never score better on the held-back rows

  @stage-deployment
  Scenario: The deployed model answers valid input and refuses malformed input
    Given a deployed sklearn classification project "served-iris"
    When the production model is asked about the held-out samples of its evaluation
    Then its answers match the evaluation's predictions
    When I send the production model a sample with one value missing
    Then the prediction is refused as malformed, naming the first sample
    When I send the production model a sample with a word where a number belongs
    Then the prediction is refused as malformed, naming the first sample

  @stage-monitoring
  Scenario: Monitoring counts requests, predictions, errors and latency
    Given a deployed sklearn regression project "watched-houses"
    When the production model receives 12 valid requests of 5 samples each and 1 malformed request
    Then production monitoring shows 13 requests, 60 predictions and 1 error
    And production monitoring has recorded its latency
    And staging monitoring shows 0 requests, 0 predictions and 0 errors

  @stage-monitoring
  Scenario: An alert fires when the error rate reaches its threshold, and not before
    Given a deployed sklearn classification project "alerting-iris"
    And I follow the real-time event stream
    When the production model receives 18 valid requests and 1 malformed request
    Then production monitoring shows an error rate below 0.1 and no alert
    When the production model receives 1 more malformed request
    Then production monitoring shows an error rate of at least 0.1 and a firing error rate alert
    And the event stream announced the error rate alert for production

  @stage-maintenance
  Scenario: Maintenance sets the retraining schedule
    Given a sklearn clustering project "segments" aiming for a silhouette of at least 0.5
    And it is retrained every Sunday at 03:00
    When I run its MLE-Star workflow
    Then the workflow completes within 30 seconds
    And the next retraining runs are every Sunday at 03:00

  @stage-maintenance
  Scenario Outline: Drift is detected when the production inputs shift, and not when they do not
    Given a deployed <framework> <type> project "<project>" watching for drift by <statistic>
    When the production model serves 200 fresh samples from the project's data source
    Then no drift is detected in production
    When the production model serves 200 fresh samples whose "<feature>" is shifted by one standard deviation
    Then drift in "<feature>" is detected in production by <statistic>

    Examples:
      | framework  | type           | project      | statistic | feature          |
      | sklearn    | classification | drift-iris   | PSI       | petal length     |
      | pytorch    | regression     | drift-houses | KS        | age years        |
      | tensorflow | clustering     | drift-shops  | PSI       | visits per month |

  @stage-maintenance
  Scenario: A drift detector too sensitive for its data fails the maintenance stage
    Given a sklearn classification project "jumpy-iris" aiming for an accuracy of at least 0.8
    And it reports drift at a population stability index above 0.001
    When I run its MLE-Star workflow
    Then the workflow stops at the maintenance stage within 30 seconds
    And the reason given is that the drift detector flags data from the training distribution
