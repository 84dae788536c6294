"""Objections: classifier, playbooks (data), suggestion ranking and personalisation."""
