"""Widgets and screens every mode uses: the base screen, dialogs, help, number fields, plots, images."""
