@system @backend @security @model
Feature: Rate limits count every request exactly, whatever the limits and the order of requests
  As an operator of a shared NovaCron cloud
  I want every user's requests counted exactly against their own limit, in fixed windows, with every
  answer saying how many remain and when the window resets
  So that one noisy client is slowed down at exactly its limit, never sooner, never later, and never
  at another user's expense

  Scenario: Any sequence of limits and requests counts each user's requests exactly against their own limit
    Then any sequence of limits set at random and requests of several users counts each user's requests exactly in their window, refuses exactly those beyond the limit and says so in every answer
