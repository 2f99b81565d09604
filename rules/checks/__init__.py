"""One module per rule family. Every function decorated with `@rule` is a rule; the registry
imports all modules here, so a new rule needs no edit anywhere else in the code."""
