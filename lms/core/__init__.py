"""The domain core: pure Python, no Flask and no database.

Everything here takes plain values and returns plain values or frozen
dataclasses, so it is tested without an application.
"""
