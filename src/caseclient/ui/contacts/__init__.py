"""Recording a contact: the form, its autosave binding and the editor window."""
