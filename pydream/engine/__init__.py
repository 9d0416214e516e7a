"""The dream itself: the octave loop, gradient ascent and L-BFGS, objectives on features,
gradient normalisation, octave shapes and memory plans. Needs Keras."""
