"""Assessments: the editor generated from the template, signing dialogs and PDF export."""
