@system @backend @security @model
Feature: Accounts and sessions stay consistent whatever is done to them
  As a security officer responsible for a NovaCron cloud
  I want every sign-in, renewal, sign-out and account change, in whatever order they come, to leave
  each credential working exactly as long as it should and every view of the accounts telling the truth
  So that no sequence of ordinary operations leaves a door open, or a list of accounts that lies

  Scenario: Any sequence of account and session operations keeps every credential and every view of the accounts consistent
    Then any sequence of account creations, sign-ins, renewals, sign-outs, rate limits and deletions keeps every credential working exactly while it should and every view of the accounts in agreement with what was done
