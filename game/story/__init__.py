"""The story as written and as compiled: file models, expressions, templates, line positions, the
loader and the problems it reports. Imports nothing else from `game`.
"""
