"""Data only: loading, preprocessing and splits, one module per family; `registry` names them."""
