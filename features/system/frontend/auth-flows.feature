@system @frontend @auth-flows
Feature: Sign-in flows of the dashboard
  As a user of the NovaCron dashboard
  I want to sign in, stay signed in while I work, and sign out
  So that my session is convenient yet ends when I leave

  @smoke
  Scenario: Signing in with a user name or an email address
    Given a user account
    When the user signs in with their user name
    And the user signs in with their email address
    Then both sign-ins open a session for the same user

  Scenario: Signing in with a wrong password is refused without saying which part was wrong
    Given a user account
    When someone signs in to it with a wrong password
    Then the sign-in is refused with the same message as for an unknown user

  Scenario: A session that expires while working is renewed without signing in again
    Given I am signed in as an operator with a session lasting 2 seconds
    When 3 seconds pass
    Then my old session no longer works
    When I renew my session
    Then the renewed session works

  Scenario: Signing out in one tab ends the session in every tab
    Given I am signed in as an operator
    And I have the dashboard open in two tabs
    When I sign out
    Then my old session no longer works
    And the second tab's live updates stop
