@system @backend @security
Feature: Authentication and access control
  As a security officer responsible for a NovaCron cloud
  I want every action checked against the caller's role, sessions that end when they should,
  and abuse slowed down
  So that nobody can do more than their role allows, and a stolen or forgotten session is worth little

  Scenario Outline: Each role may do exactly what it is allowed to
    Given I am signed in as a <role>
    When I try to <action>
    Then I am <outcome>

    Examples:
      | role     | action                               | outcome   |
      | viewer   | list the virtual machines            | allowed   |
      | viewer   | create a virtual machine             | forbidden |
      | viewer   | stop a virtual machine               | forbidden |
      | viewer   | delete a virtual machine             | forbidden |
      | viewer   | create a user account                | forbidden |
      | operator | list the virtual machines            | allowed   |
      | operator | create a virtual machine             | allowed   |
      | operator | stop a virtual machine               | allowed   |
      | operator | delete a virtual machine             | allowed   |
      | operator | create a user account                | forbidden |
      | admin    | delete a virtual machine             | allowed   |
      | admin    | create a user account                | allowed   |

  Scenario: Without signing in, nothing but the health check is available
    When someone who has not signed in tries to list the virtual machines
    Then they are asked to sign in

  @smoke
  Scenario: Signing out ends the session at once
    Given I am signed in as an operator
    When I sign out
    Then my old session no longer works
    And the ended session is recorded in the cache until it would have expired

  Scenario: A session can be renewed once with its refresh token
    Given I am signed in as an operator
    When I renew my session
    Then the renewed session works
    And the refresh token I used cannot be used again

  Scenario: A session expires after its lifetime
    Given I am signed in as an operator with a session lasting 2 seconds
    When 3 seconds pass
    Then my old session no longer works

  Scenario: Passwords are never given out
    Given I am signed in as an admin
    When I create a user account and read it back, alone and in the list
    Then no answer contains a password or a password hash

  Scenario: Repeated failed sign-ins lock the account for a while
    Given a user account
    When someone tries to sign in to it with a wrong password 5 times
    Then signing in with the right password is refused because the account is locked

  Scenario: A client that sends too many requests is slowed down
    Given I am signed in as an operator
    And my rate limit is 5 requests per minute
    When I list the virtual machines 6 times
    Then the first 5 requests are answered and show how many requests remain
    And the 6th request is refused as too many, saying when to retry
    And my request count is kept in the cache
