"""What the app may use of ml: cards, weights, image loading, preprocessing, the stroke renderer, recognizers
(ONNX Runtime on the CPU, torch on CUDA) and explanations."""
