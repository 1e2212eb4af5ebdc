"""Text → matching text and words: normalization with offset maps, segmentation, Chinese word segmenters (pure)."""
