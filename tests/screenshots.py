"""Screenshots compared with reviewed reference images, shared by the browser tests.

The images are downscaled and blurred so that glyph-level differences of font rendering pass
and a change of layout does not; ``update`` (``pytest --update-golden``) first copies the new
screenshot over the reference, which must then be looked at before it is committed.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def assert_matches_reference(shot: Path, reference: Path, window: tuple[int, int], update: bool) -> None:
    from PIL import Image, ImageChops, ImageFilter, ImageStat

    if update:
        shutil.copy(shot, reference)
    actual, expected = Image.open(shot).convert("L"), Image.open(reference).convert("L")
    assert actual.size == expected.size == window
    assert len(actual.getcolors(256 * 256) or ()) > 16, "the screenshot is blank"

    def coarse(image: Image.Image) -> Image.Image:  # blur away glyph-level differences, keep the layout
        return image.resize((window[0] // 4, window[1] // 4), Image.Resampling.BOX).filter(ImageFilter.BoxBlur(1))

    difference = ImageChops.difference(coarse(actual), coarse(expected))
    mean = ImageStat.Stat(difference).mean[0]
    changed = sum(difference.histogram()[49:]) / (difference.width * difference.height)
    assert mean < 4 and changed < 0.02, f"layout differs from {reference.name}: mean {mean:.2f}, changed {changed:.3f}"
