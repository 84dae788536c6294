"""Compliant message drafts: templates (data), payment destinations, the draft use case, letters as PDF,
and an optional LLM rewrite behind the same guards. Pure domain code: no strawberry, no api imports."""
