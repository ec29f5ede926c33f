"""The theorems of the catalogue, one module per derivation ID (installed as symxent.proofs)."""
