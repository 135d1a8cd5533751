@system @backend @federation @model @simulation @exclusive
Feature: Any sequence of federation operations keeps every member consistent
  As a platform owner whose clusters hold each other's records
  I want every sequence of joins, placements, outages and departures to leave every member telling the same story
  So that no member places a machine where there is no room, or keeps a record the others lost

  It runs alone: the placement rule weighs the free room of every member of the federation.

  Background:
    Given I am signed in as an operator

  @needs-federation-reachability
  Scenario: Any sequence of federation operations places every machine by the rules and keeps every view consistent
    Then any sequence of peers joining and leaving, machines requested through and onto any member, members going away and coming back, refusals and deletions places every machine where the placement rules say and keeps every member's records, figures, lists and the federation status in agreement with what was done
