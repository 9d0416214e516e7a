"""Many dreams: batches of pictures (local worker processes or Ray) and gallery sheets."""
