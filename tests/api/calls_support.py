"""Shared pieces of the live-call API tests: GraphQL documents and the objection classifier."""

from __future__ import annotations

PUSH = """mutation($input: PushTranscriptInput!) { pushTranscript(input: $input) {
  callId seq at kind speaker text auditId
  suggestions { category confidence alternatives { category confidence }
    suggestions { id text rationale register technique language source }
    nextSteps { kind message at } auditId language register withheld playbookVersion }
  compliance { compliant packVersion auditId violations { ruleId code message legalSource span { start end } }
    warnings { ruleId code message } } } }"""
SUGGEST = """query($input: SuggestInput!) { suggestResponses(input: $input) {
  category confidence alternatives { category confidence }
  suggestions { id text rationale register technique language source }
  nextSteps { kind message at } language register withheld playbookVersion } }"""
END = """mutation($c: ID!, $l: String) { endCall(callId: $c, language: $l) {
  callId debtorId summary disposition crmCode reasons objections language auditId generator
  alerts { ruleId code message } promise { amount currency dueDate quote } } }"""
ASSIST = """subscription($c: ID!, $after: Int) { callAssist(callId: $c, afterSeq: $after) {
  callId seq kind speaker text auditId
  suggestions { category suggestions { id text } }
  compliance { compliant violations { ruleId code } warnings { ruleId code } }
  summary { disposition promise { amount currency dueDate } } } }"""


def classifier():
    from asistente.objections.classifier import default_classifier

    return default_classifier()
