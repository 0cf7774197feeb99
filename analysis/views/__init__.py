"""Presentation of each chapter: prose, figures and tables built from the models' results."""
