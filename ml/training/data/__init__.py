"""Data readers (EMNIST IDX, CSV, image folders), pooling, splits and augmentation."""
