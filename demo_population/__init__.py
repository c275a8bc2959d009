"""The demo population: a deterministic, stateless model of the national population registry.

Pure Python, no Django: both `seed_demo` (which draws the portal's records from it) and the mock
registry service (whose truth it is) import it, so that they agree at any scale without sharing
a database. The registry's truth about an ID number is a pure function of the number and the
seed; nothing has to be stored, so the mock can answer for 24 million people in no memory.
"""
