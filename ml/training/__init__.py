"""Learning: data readers (EMNIST, UNIPEN, CSV, folders), splits, pen drawings, augmentation, the training
loop (torchrun-ready), the tuner and the export of weights and ONNX graphs."""
