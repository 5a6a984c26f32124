"""Offline checks of Bicep templates: syntax, symbols and drift rules, reported as `file:line: [rule] message`.

No Bicep compiler can run here, so `tree-sitter-bicep` parses every file, a small partial evaluator resolves what is
knowable before deployment (literals, variables, `loadJsonContent`, loops, `map`/`flatten`/`union`), and the rules
compare the result with facts the caller derives from the application code. The package knows nothing of
Switchboard: the tests pass the facts in.
"""
