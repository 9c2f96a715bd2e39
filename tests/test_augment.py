import torch

from ml.runtime.preprocess import preprocess
from ml.runtime.synth import render
from ml.training.augment import AugmentConfig, augment_batch


def _batch(n: int = 16) -> torch.Tensor:
    image = torch.from_numpy(preprocess(render("A")).input)
    return image.expand(n, 1, 28, 28).clone()


def test_shape_range_and_seeded_determinism() -> None:
    x = _batch()
    a = augment_batch(x, AugmentConfig(), torch.Generator().manual_seed(1))
    b = augment_batch(x, AugmentConfig(), torch.Generator().manual_seed(1))
    c = augment_batch(x, AugmentConfig(), torch.Generator().manual_seed(2))
    assert a.shape == x.shape and a.min() >= 0 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_each_sample_gets_its_own_transform() -> None:
    out = augment_batch(_batch(8), AugmentConfig(probability=1.0), torch.Generator().manual_seed(0))
    assert all(not torch.allclose(out[0], out[i]) for i in range(1, 8))


def test_probability_zero_is_nearly_identity() -> None:
    x = _batch(4)
    out = augment_batch(x, AugmentConfig(probability=0.0), torch.Generator().manual_seed(0))
    assert torch.allclose(out, x, atol=1e-4)


def test_augmented_characters_stay_recognizable_shapes() -> None:
    x = _batch(64)
    out = augment_batch(x, AugmentConfig(probability=1.0), torch.Generator().manual_seed(0))
    ink_before, ink_after = x.sum(dim=(1, 2, 3)), out.sum(dim=(1, 2, 3))
    ratio = ink_after / ink_before
    assert ratio.min() > 0.4 and ratio.max() < 2.0  # pen-width and scale jitter, not erasure
    correlation = torch.nn.functional.cosine_similarity(out.flatten(1), x.flatten(1))
    assert correlation.median() > 0.5


def test_stroke_jitter_thickens_and_thins() -> None:
    x = _batch(2)
    base = dict(rotation_deg=0.0, scale=0.0, aspect=0.0, shear=0.0, shift_px=0.0, elastic_px=0.0, probability=1.0)
    sums = {
        augment_batch(x, AugmentConfig(**base, stroke=1.0), torch.Generator().manual_seed(s)).sum().item()
        for s in range(6)
    }
    assert min(sums) < x.sum().item() - 1 < x.sum().item() + 1 < max(sums)


def test_separable_filter_equals_max_pool() -> None:
    from ml.training.augment import _filter3x3

    x = torch.rand(5, 1, 28, 28)
    assert torch.equal(_filter3x3(x, torch.maximum), torch.nn.functional.max_pool2d(x, 3, 1, 1))
    padded = torch.nn.functional.pad(x, (1, 1, 1, 1))
    assert torch.equal(_filter3x3(x, torch.minimum), -torch.nn.functional.max_pool2d(-padded, 3, 1, 0))
